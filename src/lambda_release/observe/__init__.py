"""What runs where, and tidying: status, watch, progress, audit, prune."""
