"""The CircleCI config `lambda-release init` writes (new, or merged into a team's) is valid:
CircleCI's schema, and every job compiled against the packed orb with its parameters."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from orbtools.validate import config_problems, schema_problems

from lambda_release.onboard.circleci import plan

TEAM_CONFIG = """\
version: 2.1
orbs:
  node: circleci/node@5.2.0
jobs:
  test:
    docker:
      - image: cimg/python:3.12
    steps: [checkout, {run: pytest -q}]
workflows:
  ci:
    jobs: [test]
"""


@pytest.mark.parametrize("existing", [None, TEAM_CONFIG], ids=["new", "merged"])
def test_generated_config_is_valid_and_compiles_against_the_orb(
    processes: None, packed_orb: dict[str, Any], existing: str | None
) -> None:
    text = plan(existing, "my-lambda").text
    assert text is not None
    config = yaml.safe_load(text)
    assert schema_problems({"config.yml": config}) == []
    # the team's own jobs use no orb command; the validator inlines only ours
    orbs = {k: v for k, v in config["orbs"].items() if k != "node"}
    assert config_problems({**config, "orbs": orbs}, packed_orb, "config.yml") == []
