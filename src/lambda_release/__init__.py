"""lambda-release: safe AWS Lambda releases with SAM.

The library does the work; ``lambda_release.cli`` only parses arguments and
calls it, so everything the command line does is callable from Python.
"""

__version__ = "1.0.0"
