"""What the CircleCI job needs to know about an app: its runtimes and image functions.

`sam build` checks each function's runtime against the tools on the machine, so the job
runs on the SAM build image of the app's runtime (public.ecr.aws/sam/build-<runtime>);
image functions need Docker (remote Docker in the job) and image repositories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambda_release.template.sam_globals import globals_taken

FUNCTION = "AWS::Serverless::Function"
BUILD_IMAGE = "public.ecr.aws/sam/build-{runtime}"
DEFAULT_RUNTIME = "python3.12"


@dataclass(frozen=True)
class AppShape:
    """The runtimes of a template's zip functions and whether any function is an image."""

    runtimes: tuple[str, ...] = ()
    images: bool = False

    @property
    def runtime(self) -> str:
        """The runtime whose build image the job runs on (the first, by name)."""
        return self.runtimes[0] if self.runtimes else DEFAULT_RUNTIME

    @property
    def image(self) -> str:
        return BUILD_IMAGE.format(runtime=self.runtime)

    @property
    def mixed(self) -> bool:
        """More than one runtime: one build image cannot build them all."""
        return len(self.runtimes) > 1


def shape(template: dict[str, Any]) -> AppShape:
    """The runtimes (``Runtime`` per function, or the Globals') and image functions."""
    resources = template.get("Resources")
    globals_all = template.get("Globals")
    globals_section = globals_all.get("Function") if isinstance(globals_all, dict) else None
    runtimes: set[str] = set()
    images = False
    for body in resources.values() if isinstance(resources, dict) else []:
        if not isinstance(body, dict) or body.get("Type") != FUNCTION:
            continue
        own = body.get("Properties")
        props: dict[str, Any] = own if isinstance(own, dict) else {}
        taken = globals_taken(body, globals_section)
        package_type = props.get("PackageType", taken.get("PackageType", "Zip"))
        if package_type == "Image":
            images = True
            continue
        runtime = props.get("Runtime", taken.get("Runtime"))
        if isinstance(runtime, str) and runtime:
            runtimes.add(runtime)
    return AppShape(tuple(sorted(runtimes)), images)
