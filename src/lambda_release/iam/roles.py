"""The roles the helper's IAM policies are written for (one policy each)."""

from __future__ import annotations

ROLES = ("deploy", "rollback", "readonly")
