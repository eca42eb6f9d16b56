"""Which environments a template serves, and which of them is production.

In order: ``check --environments`` (or ``LAMBDA_RELEASE_ENVIRONMENTS`` when the
rules run inside plain cfn-lint), then ``Metadata: {lambda-release:
{environments: [...]}}``, then the parameter that ``AutoPublishAlias`` refers
to when it lists two or more ``AllowedValues`` (the seed's ``AliasName``).
An environment is written as a name (``prod``: its alias is the name in upper
case, ``PROD``) or as ``name=ALIAS``. Production is the environment whose
alias is a production alias: by default ``PROD``, ``Production``, ``live`` or
``prod`` (the names SAM's documentation uses); ``--production-alias``
(repeatable), ``LAMBDA_RELEASE_PRODUCTION_ALIAS`` or the metadata's
``production-aliases`` / ``prod-alias`` replace the list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lambda_release.check.source import SAM_FUNCTION, SourceTemplate

DEFAULT_PRODUCTION_ALIASES = ("PROD", "Production", "live", "prod")
METADATA_KEY = "lambda-release"
ENV_ENVIRONMENTS = "LAMBDA_RELEASE_ENVIRONMENTS"
ENV_PRODUCTION_ALIASES = ("LAMBDA_RELEASE_PRODUCTION_ALIAS", "LAMBDA_RELEASE_PROD_ALIAS")


@dataclass(frozen=True)
class Environment:
    name: str
    alias: str


@dataclass(frozen=True)
class Options:
    """What the command line adds to the template's own declarations."""

    environments: tuple[Environment, ...] = ()
    production_aliases: tuple[str, ...] = ()  # empty: the template's, else the defaults


# The options as cfn-lint gives a rule its own (``configure()``, which it calls on every
# run; ``--configure-rule E9002:environments=prod`` in plain cfn-lint): a rule that reads
# the environments declares these. None: not given, so the environment variables count.
CONFIG_DEFINITION: dict[str, dict[str, Any]] = {
    "environments": {"default": None, "type": "list", "itemtype": "string"},
    "production_aliases": {"default": None, "type": "list", "itemtype": "string"},
}


def as_config(options: Options) -> dict[str, list[str]]:
    """``options`` as a rule's configuration (read back by :func:`options_of`)."""
    return {
        "environments": [f"{e.name}={e.alias}" for e in options.environments],
        "production_aliases": list(options.production_aliases),
    }


def parse_environments(items: Iterable[str]) -> tuple[Environment, ...]:
    """``prod,staging`` or ``prod=PROD,staging=STG`` -> environments (empty items skipped)."""
    result: list[Environment] = []
    for item in items:
        for word in str(item).replace(",", " ").split():
            name, sep, alias = word.partition("=")
            result.append(Environment(name, alias if sep else name.upper()))
    return tuple(result)


def split_words(items: Iterable[str]) -> tuple[str, ...]:
    """``a,b c`` and repeated items -> ``(a, b, c)``."""
    return tuple(w for item in items for w in str(item).replace(",", " ").split())


def options_of(config: Mapping[str, Any]) -> Options:
    """A rule's options from its configuration; what it was not given, from the
    environment variables (plain cfn-lint)."""
    envs, prods = config.get("environments"), config.get("production_aliases")
    return Options(
        parse_environments(
            [os.environ.get(ENV_ENVIRONMENTS, "")] if envs is None else map(str, envs)
        ),
        split_words(
            (os.environ.get(name, "") for name in ENV_PRODUCTION_ALIASES)
            if prods is None
            else map(str, prods)
        ),
    )


def _metadata(src: SourceTemplate) -> Mapping[str, Any]:
    m = src.metadata.get(METADATA_KEY)
    return m if isinstance(m, Mapping) else {}


def production_aliases(src: SourceTemplate, opts: Options) -> tuple[str, ...]:
    """The aliases that are production: command line, else the template's metadata, else
    the defaults."""
    if opts.production_aliases:
        return opts.production_aliases
    meta = _metadata(src)
    for key in ("production-aliases", "prod-alias"):
        value = meta.get(key)
        if isinstance(value, str | list):
            listed = split_words([value] if isinstance(value, str) else map(str, value))
            if listed:
                return listed
    return DEFAULT_PRODUCTION_ALIASES


def alias_parameter(value: Any) -> str | None:
    """The parameter name in ``AutoPublishAlias: !Ref P``, else None."""
    if isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return str(value["Ref"])
    return None


def allowed_values(src: SourceTemplate, parameter: str) -> list[str] | None:
    """A parameter's ``AllowedValues`` as strings; None when it has none or does not exist."""
    p = src.parameters.get(parameter)
    if not isinstance(p, Mapping):
        return None
    values = p.get("AllowedValues")
    if not isinstance(values, list):
        return None
    return [str(v) for v in values]


def declared(src: SourceTemplate, opts: Options) -> tuple[Environment, ...]:
    """Environments from the command line or the template's metadata (not parameters)."""
    if opts.environments:
        return opts.environments
    listed = _metadata(src).get("environments")
    if isinstance(listed, list):
        return parse_environments(str(v) for v in listed)
    if isinstance(listed, str):
        return parse_environments([listed])
    return ()


def environments(src: SourceTemplate, opts: Options) -> tuple[Environment, ...]:
    """Every environment the template serves (declared, else an alias parameter's values)."""
    envs = declared(src, opts)
    if envs:
        return envs
    seen: dict[str, Environment] = {}
    for fn in src.of_type(SAM_FUNCTION):
        param = alias_parameter(fn.properties.get("AutoPublishAlias"))
        values = allowed_values(src, param) if param else None
        if values and len(values) >= 2:
            for v in values:
                seen.setdefault(v, Environment(v.lower(), v))
    return tuple(seen.values())


def is_multi_environment(src: SourceTemplate, opts: Options) -> bool:
    """Deployed as two or more environments, i.e. (by the seed's advice) two or more stacks."""
    return len(environments(src, opts)) >= 2


def serves_production(src: SourceTemplate, alias_value: Any, opts: Options) -> bool:
    """Whether a function with this ``AutoPublishAlias`` value can be production.

    A literal alias is production when it is the production alias. A parameter
    is production when one of the environments is; with nothing declared we
    cannot prove otherwise, so it is.
    """
    prod = production_aliases(src, opts)
    if isinstance(alias_value, str):
        return alias_value in prod
    envs = environments(src, opts)
    param = alias_parameter(alias_value)
    values = allowed_values(src, param) if param else None
    if values:
        return any(v in prod for v in values) or any(e.alias in prod for e in envs)
    if envs:
        return any(e.alias in prod for e in envs)
    return True
