"""The local AWS stand-in (`lambda-release sandbox`): moto's server, extended where it falls short.

Needs the package's `sandbox` extra (moto, aws-sam-translator). Importing this package does not
change moto; the extensions are applied when a Sandbox starts.
"""

from __future__ import annotations

from lambda_release.sandbox.server import Sandbox

__all__ = ["Sandbox"]
