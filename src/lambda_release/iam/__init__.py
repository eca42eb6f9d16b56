"""Least privilege: the IAM policies each role needs and the CircleCI OIDC trust policy.

``policy`` builds a role's identity policy from tables of actions and resource
kinds, ``scope`` names the resources, ``operations`` maps each AWS operation
the helper calls to its IAM action and resource (what the tests check the
policies against), ``trust`` writes the OIDC trust policy and ``evaluate``
decides what a policy allows.
"""
