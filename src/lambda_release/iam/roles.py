"""The roles the helper's IAM policies are written for (one policy each)."""

from __future__ import annotations

# One role per job: the orb's deploy and rollback jobs, people and dashboards, and prune
# (deleting versions: no other role may delete). Which commands each runs: policy.COMMANDS.
ROLES = ("deploy", "rollback", "readonly", "prune")
