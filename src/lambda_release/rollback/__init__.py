"""Rollback: undo a release (undo.py), stop one in flight (in_flight.py), or move one
function to a named version (explicit.py), adding back through CloudFormation an alias
a template removed (restore_alias.py).

plan.py decides (pure), alias_moves.py moves one alias guarded by its RevisionId,
claim.py names a logical rollback once and takes the lock, record.py reads and writes
what a rollback records, summary.py says what happened.
"""

from lambda_release.rollback.explicit import move_to_version
from lambda_release.rollback.request import Request, RollbackResult, validate
from lambda_release.rollback.summary import summary_data, summary_text
from lambda_release.rollback.undo import rollback

__all__ = [
    "Request",
    "RollbackResult",
    "move_to_version",
    "rollback",
    "summary_data",
    "summary_text",
    "validate",
]
