"""CodeDeploy's errors as the stand-in raises them.

moto (5.2.6 and later) serialises a ``ServiceException`` from AWS's own model: the error
code names the shape, and the HTTP status comes from the shape (400 for every CodeDeploy
error, as AWS sends it). Nothing here sets a status by hand; earlier moto releases made
``code`` the status and broke when the model took it over.
"""

from __future__ import annotations

from moto.codedeploy.exceptions import CodeDeployException


def codedeploy_error(code: str, message: str) -> CodeDeployException:
    """An error whose code names one of CodeDeploy's exception shapes."""
    return CodeDeployException(code, message)
