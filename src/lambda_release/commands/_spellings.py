"""Other tools' spellings of our options, answered in one line.

SAM and AWS CLI users type what those tools take (``--stack-name``, ``--bucket``,
``--function-name``, ``--query``). A command that does not take one answers with the
option that means it here, never with argparse's usage screen. Options a command does
take (``deploy --stack-name``, ``-t``) are registered by the command itself; this table
is for everything else.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from lambda_release.text import visible

# Another tool's option -> ours (a flag of some lambda-release command), or None when no
# option means it and the note says what to do instead.
Spelling = tuple[str | None, str]

SAM_PASSES_THROUGH = (
    "a sam deploy option: `lambda-release deploy` passes it on as --sam-arg=OPTION (one "
    "--sam-arg per word)"
)
BUILD_PASSES_THROUGH = (
    "a sam build option: `lambda-release build` passes it on as --sam-arg=OPTION (one "
    "--sam-arg per word)"
)

SPELLINGS: dict[str, Spelling] = {
    # SAM CLI
    "--stack-name": ("--stack", "the stack's name"),
    "--template": ("--template-file", "the SAM template"),
    "-t": ("--template-file", "the SAM template"),
    "--guided": (
        None,
        "run `sam deploy --guided` once to write samconfig.toml; lambda-release "
        "reads its section (--config-env) and never prompts",
    ),
    "-g": (
        None,
        "run `sam deploy --guided` once to write samconfig.toml; lambda-release reads "
        "its section (--config-env) and never prompts",
    ),
    "--confirm-changeset": (
        None,
        "a release never waits at a prompt: see what it would do with --dry-run first",
    ),
    "--no-execute-changeset": ("--dry-run", "pre-flight and the exact sam command; change nothing"),
    "--fail-on-empty-changeset": (
        None,
        "a template that changes nothing is a no-change release (exit 0), recorded as such",
    ),
    "--save-params": (None, "lambda-release never writes samconfig.toml"),
    "--image-repository": ("--image-repositories", "FUNCTION=URI, repeatable"),
    "--parameter-override": ("--parameter", "one template parameter KEY=VALUE, taken literally"),
    "--stack-prefix": (
        "--stack-prefix",
        "`lambda-release target --stack-prefix P` exports the "
        "stack P-prod or P-staging for the branch",
    ),
    "--wait": ("--start-timeout", "seconds to wait for a deployment to start"),
    "--wait-timeout": ("--deployment-timeout", "seconds to wait for deployments to end"),
    "--timeout": ("--deployment-timeout", "seconds to wait for deployments to end"),
    # The AWS CLI and its APIs
    "--bucket": ("--log-bucket", "where the release log is: BUCKET or s3://BUCKET/PREFIX"),
    "--s3-log-bucket": ("--log-bucket", "where the release log is: BUCKET or s3://BUCKET/PREFIX"),
    "--function-name": ("--function", "a function's logical id or name"),
    "--function-version": ("--to-version", "the published version to move the alias to"),
    "--name": ("--alias", "the alias, e.g. PROD"),
    "--alias-name": ("--alias", "the alias, e.g. PROD"),
    "--query": (None, "filter --output json with jq instead"),
    "--no-cli-pager": (None, "lambda-release never pages its output: leave it out"),
    "--no-paginate": (None, "lambda-release reads every page itself: leave it out"),
    "--cli-input-json": (None, "give the options as flags or LAMBDA_RELEASE_<NAME> variables"),
    # Where a command has its own way (looked up as "COMMAND OPTION" first).
    "target --stack-name": (
        None,
        "target derives the stack from the branch: give "
        "--stack-prefix P (P-prod, P-staging) or --prod-stack/--staging-stack",
    ),
    "target --stack": (
        None,
        "target derives the stack from the branch: give --stack-prefix P "
        "(P-prod, P-staging) or --prod-stack/--staging-stack",
    ),
}

for _option in (
    "--force-upload", "--role-arn", "--kms-key-id", "--notification-arns", "--signing-profiles",
    "--disable-rollback", "--no-disable-rollback", "--on-failure", "--metadata", "--use-json",
    "--no-progressbar", "--max-wait-duration",
):  # fmt: skip
    SPELLINGS.setdefault(_option, (None, SAM_PASSES_THROUGH))
for _option in (
    "--manifest", "--build-image", "--skip-pull-image", "--container-env-var",
    "--container-env-var-file", "--docker-network", "--mount-with", "--exclude", "--hook-name",
    "--beta-features", "--build-in-source",
):  # fmt: skip
    SPELLINGS.setdefault(_option, (None, BUILD_PASSES_THROUGH))


def option_of(word: str) -> str:
    """The option a word names: ``--x=v`` is ``--x``; a short option keeps its letter."""
    if word.startswith("--"):
        return word.split("=", 1)[0]
    return word[:2] if word.startswith("-") else word


def answer(command: str, words: Sequence[str], options: Sequence[str]) -> str:
    """One line about the first word the command does not take, for its ``error:``.

    ``options`` are the command's own flags, so that the answer names one it has, or says
    which command has it (``--stack-prefix`` belongs to ``target``). ``command`` is empty
    when none was named."""
    where = command or "lambda-release"
    helped = f"see `lambda-release {command} --help`" if command else "see `lambda-release --help`"
    first = next((w for w in words if w.startswith("-") and w != "-"), None)
    if first is None:
        shown = visible(words[0])[:80] if words else ""
        return f"unexpected argument {shown!r}: {where} takes options only; {helped}"
    given = option_of(first)
    shown = visible(given)[:80]
    ours, note = SPELLINGS.get(f"{command} {given}") or SPELLINGS.get(given, (None, ""))
    if ours is not None and ours in options:
        return f"{shown} is not an option of {where}: use {ours} ({note})"
    if note:
        elsewhere = f"; {ours} is an option of other commands" if ours else ""
        return f"{shown} is not an option of {where}: {note}{elsewhere}"
    near = difflib.get_close_matches(given, [o for o in options if o.startswith("--")], 1, 0.75)
    hint = f"did you mean {near[0]}? " if near else ""
    return f"{shown} is not an option of {where}: {hint}{helped}"
