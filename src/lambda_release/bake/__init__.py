"""Bake: after a release settles ``succeeded``, keep watching its alarms for a while and
roll it back by itself if one fires (Amazon's "bake time", Builders' Library, "Automating
safe, hands-off deployments").

rules.py decides (pure: which alarm trips the bake, which release a bake is of, what
``status`` says of a bake); alarms.py reads CloudWatch; run.py is the loop, which rolls
back through the same path as ``lambda-release rollback``.
"""
