"""Orb tooling for machines without the CircleCI CLI: pack, validate, review, run locally.

The project's CircleCI pipeline uses orb-tools and the CLI; these do the same
work here with the same semantics, so ``make test`` checks the orb offline.
Run as ``python -m orbtools`` with ``scripts`` on ``PYTHONPATH``.
"""
