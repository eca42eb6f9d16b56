"""Least privilege: the IAM policies each role needs and the CircleCI OIDC trust policy.

``policy`` builds a role's identity policy (for each of ``roles``) from tables of
actions and resource kinds, ``scope`` names the resources and ``trust`` writes the
OIDC trust policy. What checks them lives with the tests: ``tests/iam/operations.py``
maps each AWS operation the helper calls to its IAM action and resource, and
``tests/iam/evaluate.py`` decides what a policy allows.
"""
