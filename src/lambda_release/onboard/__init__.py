"""``lambda-release init``: a SAM app made ready for safe releases from CircleCI."""
