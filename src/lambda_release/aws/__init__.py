"""The boundary with AWS: clients and pacing, the call trace, stack and CodeDeploy reads."""
