"""SAM templates and the `sam` CLI: reading, globals, built code, the commands run."""
