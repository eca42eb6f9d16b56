"""Issue 24 item 1, as a property: for random secrets, a deploy, a second deploy and a
rollback leave every S3 object and the record file parseable and of their schema, no
rendering of the secret in any byte the product wrote or printed, and a log whose story
is the aliases'. A secret too short to mask is refused before anything changes.

The secrets are drawn from quotes, backslashes, ``$``, ``%``, unicode, whitespace, control
characters and pieces of the log's own words, ids and numbers (1 to 64 characters); the
seed is random per run and named in every failure (``LR_SECRET_SEED`` replays one).
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Callable

import pytest
import yaml

from lambda_release.log.schema import SHAPES, problem_with
from lambda_release.template.secrets import MIN_LENGTH, forms
from tests.engine.conftest import App, make_app  # noqa: F401 - the fixture
from tests.support.sam import sam_build

SEED = int(os.environ.get("LR_SECRET_SEED") or random.SystemRandom().randrange(2**32))
PIECES = [
    *"\"'\\$%äöü€😀 \t\x01\x1b\x7f\n",
    *("release", "rele", "settled", "pending", "kind", "outcome", "null", "true", "schema"),
    *("2026", "0000", ".208874", "PROD", "AFunction", "*****", "lambda-release"),
]
# The cases the issue names, then random ones.
NAMED = [
    'Zq"9xK-quote',
    "pässwörd ab\\cd\tit's",
    "tab\tand\nnew line",
    "lambda-release",
    "ase",
    "1",
]


def draw(rng: random.Random) -> str:
    text = ""
    while len(text) < rng.randint(1, 64):
        text += rng.choice(PIECES)
    return text[:64]


CASES = NAMED + [draw(random.Random(SEED + i)) for i in range(3)]  # noqa: S311


def sam_refuses(value: str) -> bool:
    """SAM's parser cannot carry a backslash before a quote or space, nor a trailing one;
    CloudFormation's XML answers cannot carry a control character other than tab and
    line breaks: all refused (exit 2) before anything changes. A tab or a line break is
    carried (a parameter value is not free text: lambda_release.settings.check_text)."""
    return (
        bool(re.search(r"\\[\"' ]", value))
        or value.endswith("\\")
        or "ParameterKey=" in value
        or bool(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", value))
    )


def bucket_objects(app: App) -> dict[str, bytes]:
    s3 = app.sandbox.client("s3")
    out: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=app.bucket):
        for obj in page.get("Contents", []):
            if obj["Key"].startswith("lambda-release/"):
                out[obj["Key"]] = s3.get_object(Bucket=app.bucket, Key=obj["Key"])["Body"].read()
    return out


def shape_of(key: str) -> str:
    if key.endswith("~origin.json"):
        return ""  # the marker of a log begun with the index: {"origin": id}
    if key.endswith("lock.json"):
        return "lease"
    for folder, shape in (
        ("/newest/", "entry"),
        ("/settled/", "settlement"),
        ("/undone/", "undo marker"),
    ):
        if folder in key:
            return shape
    return "rollback claim" if "/rollbacks/" in key else ""


def telling(value: str, blob: str) -> list[str]:
    """The renderings of ``value`` found in ``blob``. A rendering that is one of the
    product's own words (``lambda-release``) or a short run of letters and digits (``rele``,
    ``2026``) is also the product's vocabulary, so only the others count."""
    words = {p for p in PIECES if len(p) > 1}
    return [
        f
        for f in forms(value)
        if not (re.fullmatch(r"[\w.*-]+", f) and (len(f) <= 8 or f in words)) and f in blob
    ]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_a_random_secret_neither_leaks_nor_corrupts(
    make_app: Callable[..., App],  # noqa: F811
    case: int,
) -> None:
    secret = CASES[case]
    why = f"secret {secret!r} (LR_SECRET_SEED={SEED})"
    app = make_app(functions=("A",))
    path = app.directory / "template.yaml"
    template = yaml.safe_load(path.read_text())
    template.setdefault("Parameters", {})["DbPassword"] = {
        "Type": "String",
        "NoEcho": True,
        "Default": "unset-x",
    }
    path.write_text(yaml.safe_dump(template, sort_keys=False))
    sam_build(app.directory, app.env)
    args = [*app.deploy_args(), "--parameter-override", f"DbPassword={secret}"]
    printed: list[str] = []

    def lr(*a: str) -> int:
        p = app.lr(*a)
        printed.extend((p.stdout, p.stderr))
        return p.returncode

    dry = lr(*args, "--dry-run")
    first = lr(*args)
    if len(secret) < MIN_LENGTH or sam_refuses(secret):
        assert (dry, first) == (2, 2), why
        assert all(len(s.strip().splitlines()) <= 1 for s in printed if s), why
        assert bucket_objects(app) == {}, why  # nothing changed: no lease, no entry
        stacks = app.sandbox.client("cloudformation").list_stacks()["StackSummaries"]
        assert app.stack not in {s["StackName"] for s in stacks}, why
        return
    assert (dry, first) == (0, 0), f"{why}\n{printed[-1]}"
    v1 = app.alias("AFunction", "PROD")
    app.change_code("2", ("A",))
    assert lr(*args) == 0, f"{why}\n{printed[-1]}"
    assert lr("rollback", "--stack", app.stack, "--alias", "PROD") == 0, why
    assert lr("history", "--stack", app.stack, "--alias", "PROD", "--output", "json") == 0, why

    objects = bucket_objects(app)
    for key, body in objects.items():
        data = json.loads(body)  # parses, whatever the secret held
        shape = shape_of(key)
        if shape:
            assert problem_with(data, SHAPES[shape]) is None, f"{why}: {key}"
    record = (app.directory / ".lambda-release" / "release.json").read_text()
    json.loads(record)
    blob = "\n".join([*printed, record, *(b.decode() for b in objects.values())])
    assert not telling(secret, blob), why

    # The story is the aliases': the rollback undid the second release, PROD is back on v1.
    assert app.alias("AFunction", "PROD")["FunctionVersion"] == v1["FunctionVersion"], why
    history = json.loads(printed[-2])
    releases = history["releases"] if isinstance(history, dict) else history
    kinds = [(r["kind"], r.get("undone")) for r in releases]
    assert kinds[0][0] == "rollback" and kinds[1] == ("release", True), (why, kinds)
