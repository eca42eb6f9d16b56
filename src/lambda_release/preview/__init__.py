"""The preview: what a release will change, shown by ``deploy --dry-run`` before it runs.

Per function: whether it publishes a new version (the built code's hash against the code
the alias serves now, and configuration changes), its traffic plan (deployment type, steps
and times, the alarms that guard it, its hooks); and the stack's changes, from a
CloudFormation change set created, described and deleted, never executed.

change_set.py makes and reads the change set (``sam deploy --no-execute-changeset``);
traffic.py and plan.py decide (pure); run.py reads and puts them together.
"""
