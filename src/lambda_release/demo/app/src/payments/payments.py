"""Payments: the demo's second function. The rehearsal adds a marker file to
the built code for each release, so that every release publishes a new version."""

import json
from typing import Any

RELEASE = "1"


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return {"statusCode": 200, "body": json.dumps({"service": "payments", "release": RELEASE})}
