"""``check --fix``: the mechanical fixes for the template rules, written back in place."""
