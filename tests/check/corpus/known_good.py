"""Which SAM translator inputs are known good, decided from SAM's own expected output.

    python tests/check/corpus/known_good.py /path/to/serverless-application-model

writes ``sam-translator/known-good.txt``. The rule, applied to
``tests/translator/output/<name>.json`` (what the SAM translator itself turns
``input/<name>.yaml`` into; not our rules), is: the input is not an ``error_*``
one, and in SAM's output

1. every ``AWS::Lambda::Function`` is named by an ``AWS::Lambda::Alias``;
2. no invocation path (the properties listed in
   ``lambda_release.check.invocation_paths.PATHS``) names a function by ``Ref``,
   ``Fn::GetAtt ... Arn`` or ``${...}`` without a ``:`` qualifier;
3. every ``AWS::CodeDeploy::DeploymentGroup`` has an ``AlarmConfiguration``.

Such a template releases only through aliases, so a guardrail that reports
anything on it is wrong.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from lambda_release.check.invocation_paths import ALL, PATHS

HERE = Path(__file__).resolve().parent / "sam-translator"
_VAR = re.compile(r"\$\{([^}!]+)\}")


def _refs(value: Any, functions: set[str], out: list[str]) -> None:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Ref" and inner in functions:
                out.append(inner)
                return
            if key == "Fn::GetAtt":
                parts = inner if isinstance(inner, list) else str(inner).split(".", 1)
                if parts and parts[0] in functions and parts[1:] in ([], ["Arn"]):
                    out.append(parts[0])
                    return
            if key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                for m in _VAR.finditer(text if isinstance(text, str) else ""):
                    name = m.group(1).removesuffix(".Arn")
                    if name in functions and not text[m.end() :].startswith(":"):
                        out.append(name)
                if isinstance(inner, list) and len(inner) > 1:
                    _refs(inner[1], functions, out)
                return
        for v in value.values():
            _refs(v, functions, out)
    elif isinstance(value, list):
        for v in value:
            _refs(v, functions, out)


def verdict(name: str, output: dict[str, Any] | None) -> str:
    """'good', or why not."""
    if name.startswith("error_") or output is None:
        return "rejected by SAM"
    resources: dict[str, Any] = output.get("Resources", {})
    functions = {k for k, r in resources.items() if r.get("Type") == "AWS::Lambda::Function"}
    aliased: list[str] = []
    for r in resources.values():
        if r.get("Type") == "AWS::Lambda::Alias":
            _refs(r.get("Properties", {}).get("FunctionName"), functions, aliased)
    if functions - set(aliased):
        return "a function without an alias"
    for r in resources.values():
        path = PATHS.get(r.get("Type", ""))
        if path is not None:
            props = r.get("Properties", {})
            found: list[str] = []
            for prop in props if path.properties == ALL else path.properties:
                _refs(props.get(prop), functions, found)
            if found:
                return "an unqualified invocation"
        if r.get("Type") == "AWS::CodeDeploy::DeploymentGroup" and not r.get("Properties", {}).get(
            "AlarmConfiguration"
        ):
            return "a deployment without alarms"
    return "good"


def main(sam_checkout: Path) -> None:
    outputs = sam_checkout / "tests" / "translator" / "output"
    good = []
    for path in sorted((HERE / "input").glob("*.yaml")):
        out_path = outputs / f"{path.stem}.json"
        output = json.loads(out_path.read_text(encoding="utf-8")) if out_path.is_file() else None
        if verdict(path.stem, output) == "good":
            good.append(path.name)
    (HERE / "known-good.txt").write_text("".join(f"{n}\n" for n in good), encoding="utf-8")
    print(f"{len(good)} known good")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
