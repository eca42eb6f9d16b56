"""The mechanical fixes ``check --fix`` applies to a SAM template's tree.

Each fix is the seed article's by-hand surgery, done the way the rules in
docs/rules.md ask for it: an alias parameter, ``AutoPublishAlias: !Ref AliasName``
(in ``Globals`` when no function sets its own), a ``DeploymentPreference`` (where
there is none) whose ``Type`` follows the alias (canary in production, ``AllAtOnce``
elsewhere), an Errors alarm on ``<function>:<alias>`` for every preference without
``Alarms`` (a ``Type`` the team wrote stays as written), per-environment physical names, and
invocation targets pointed at the alias. A fix is applied only where its result is
certain; everything else is listed in ``Fixes.left``. Running it on its own output
changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambda_release.fix import grants, names, targets
from lambda_release.fix.edits import put, put_after, put_at, put_section, unique_key
from lambda_release.fix.intrinsics import Writer, read, ref_target
from lambda_release.template.sam_globals import ignores_global

SAM_FUNCTION = "AWS::Serverless::Function"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
ALIAS_PARAMETER = "AliasName"
PROD_CONDITION = "IsProductionAlias"
DEFAULT_CANARY = "Canary10Percent5Minutes"
# The fixes in the order they are made; the first (the alias and its parameter) is what
# the others build on, each of the others may be left out (run.py, when it fails proof).
STEPS = ("alias", "names", "preferences", "targets")


@dataclass
class Fixes:
    """What a fix changed, and what it left for a person to do."""

    changes: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


@dataclass
class _Fixer:
    root: Any
    write: Writer
    aliases: Sequence[str]
    prod_alias: str
    steps: Collection[str] = STEPS
    out: Fixes = field(default_factory=Fixes)
    parameter: str = ALIAS_PARAMETER

    @property
    def resources(self) -> Any:
        return self.root["Resources"]

    def functions(self) -> list[tuple[str, Any]]:
        return [
            (str(name), node)
            for name, node in self.resources.items()
            if isinstance(node, Mapping) and node.get("Type") == SAM_FUNCTION
        ]

    def globals_function(self) -> Any:
        g = self.root.get("Globals")
        fn = g.get("Function") if isinstance(g, Mapping) else None
        return fn if isinstance(fn, Mapping) else None

    # -- the template's frame ---------------------------------------------------------

    def transform(self) -> None:
        if "Transform" not in self.root:
            put_section(self.root, "Transform", SAM_TRANSFORM)
            self.out.changes.append(f"Transform: {SAM_TRANSFORM} added (SAM resources need it)")

    def alias_parameter(self) -> None:
        for value in self._alias_values():
            target = ref_target(value)
            if target and target in (self.root.get("Parameters") or {}):
                self.parameter = target
                break
        params = self.root.get("Parameters")
        default = next((a for a in self.aliases if a != self.prod_alias), self.aliases[0])
        definition = self.write.mapping(
            ("Type", "String"),
            ("Default", default),
            ("AllowedValues", self.write.flow_list(*self.aliases)),
        )
        param = params.get(self.parameter) if isinstance(params, Mapping) else None
        if param is None:
            if isinstance(params, Mapping):
                put(params, self.parameter, definition)
            else:
                put_section(
                    self.root, "Parameters", self.write.mapping((self.parameter, definition))
                )
            self.out.changes.append(
                f"Parameters.{self.parameter}: added, one of {', '.join(self.aliases)}"
            )
            return
        if not isinstance(param, MutableMapping):
            self.out.left.append(f"Parameters.{self.parameter} is not a parameter definition")
            return
        allowed = param.get("AllowedValues")
        if allowed is None:
            put(param, "AllowedValues", self.write.flow_list(*self.aliases))
            self.out.changes.append(f"Parameters.{self.parameter}.AllowedValues: added")
        elif isinstance(allowed, list):
            missing = [a for a in self.aliases if a not in allowed]
            if missing:
                allowed.extend(missing)
                self.out.changes.append(
                    f"Parameters.{self.parameter}.AllowedValues: {', '.join(missing)} added"
                )

    def _alias_values(self) -> list[Any]:
        found = []
        g = self.globals_function()
        if g is not None and "AutoPublishAlias" in g:
            found.append(g["AutoPublishAlias"])
        for _, node in self.functions():
            props = node.get("Properties")
            if isinstance(props, Mapping) and "AutoPublishAlias" in props:
                found.append(props["AutoPublishAlias"])
        return found

    # -- AutoPublishAlias ---------------------------------------------------------------

    def _is_alias_ref(self, value: Any) -> bool:
        return ref_target(value) == self.parameter

    def auto_publish_alias(self) -> None:
        fns = self.functions()
        g = self.globals_function()
        if (
            g is not None
            and "AutoPublishAlias" in g
            and not self._is_alias_ref(g["AutoPublishAlias"])
        ):
            self._set_alias(g, "Globals.Function")
        own = [(n, self._properties(node)) for n, node in fns]
        any_own = any("AutoPublishAlias" in p for _, p in own)
        for name, props in own:
            if "AutoPublishAlias" in props and not self._is_alias_ref(props["AutoPublishAlias"]):
                self._set_alias(props, f"{name}")
        missing = [(n, p) for n, p in own if "AutoPublishAlias" not in p]
        # A function whose IgnoreGlobals leaves the Globals' alias out needs its own.
        ignoring = {n for n, node in fns if ignores_global(node, "AutoPublishAlias")}
        if g is not None and "AutoPublishAlias" in g:
            self._own_alias([(n, p) for n, p in missing if n in ignoring])
            return
        if not missing:
            return
        shared = not any_own and (self.root.get("Globals") is not None or len(fns) > 1)
        if not shared:
            self._own_alias(missing)
            return
        ref = self.write.ref(self.parameter)
        globals_ = self.root.get("Globals")
        if g is not None:
            put(g, "AutoPublishAlias", ref)
        elif isinstance(globals_, Mapping):
            put_at(globals_, 0, "Function", self.write.mapping(("AutoPublishAlias", ref)))
        else:
            function = self.write.mapping(("AutoPublishAlias", ref))
            put_section(self.root, "Globals", self.write.mapping(("Function", function)))
        self.out.changes.append(
            f"Globals.Function.AutoPublishAlias: !Ref {self.parameter} (every function)"
        )
        self._own_alias([(n, p) for n, p in missing if n in ignoring])

    def _own_alias(self, functions: list[tuple[str, Any]]) -> None:
        for name, props in functions:
            put(props, "AutoPublishAlias", self.write.ref(self.parameter))
            self.out.changes.append(f"{name}.AutoPublishAlias: !Ref {self.parameter}")

    def _set_alias(self, where: Any, label: str) -> None:
        old = where["AutoPublishAlias"]
        fns = [label] if label in self.resources else [n for n, _ in self.functions()]
        by_hand = names.hand_written_alias(self.root, fns, old) if isinstance(old, str) else None
        if by_hand is not None:
            # renaming the alias would strand what names it by hand: keep it, say so
            self.out.left.append(
                f"{label}.AutoPublishAlias: {old} is named by hand ({by_hand}); kept: make it "
                f"!Ref {self.parameter} and update those references together"
            )
            return
        if isinstance(old, str):
            where["AutoPublishAlias"] = self.write.ref(self.parameter)
            self.out.changes.append(f"{label}.AutoPublishAlias: {old} -> !Ref {self.parameter}")
        else:
            self.out.left.append(
                f"{label}.AutoPublishAlias is an expression other than !Ref {self.parameter}"
            )

    def _properties(self, node: Any) -> Any:
        if not isinstance(node.get("Properties"), Mapping):
            put_after(node, "Type", "Properties", self.write.mapping())
        return node["Properties"]

    # -- physical names ---------------------------------------------------------------

    def physical_names(self) -> None:
        """A fixed account-wide name collides between the per-environment stacks (E9008)."""
        changes, left = names.per_stack(self.root, self.parameter, self.write)
        self.out.changes.extend(changes)
        self.out.left.extend(left)

    # -- deployment preference and alarms ---------------------------------------------

    def deployment_preferences(self) -> None:
        g = self.globals_function() or {}
        shared_pref = g.get("DeploymentPreference")
        shared_pref = shared_pref if isinstance(shared_pref, Mapping) else {}
        owners: dict[int, list[str]] = {}
        for name, node in self.functions():
            owners.setdefault(id(self._properties(node)), []).append(name)
        for name, node in self.functions():
            props = self._properties(node)
            shared = owners[id(props)]
            if len(shared) > 1:
                # one YAML anchor for several functions: an alarm added there would watch
                # the first function only, for all of them
                self.out.left.append(
                    f"{name}.Properties is shared with {', '.join(n for n in shared if n != name)} "
                    "(a YAML anchor): give each function its own DeploymentPreference and alarm"
                )
                continue
            ignored = ignores_global(node, "DeploymentPreference")
            g_pref: Mapping[str, Any] = {} if ignored else shared_pref
            pref = props.get("DeploymentPreference")
            if pref is None:
                pref = self.write.mapping()
                if "Type" not in g_pref:
                    pref["Type"] = self._type_by_alias(DEFAULT_CANARY)
                put(props, "DeploymentPreference", pref)
                self.out.changes.append(
                    f"{name}.DeploymentPreference: {DEFAULT_CANARY} in production, "
                    "AllAtOnce elsewhere"
                    if "Type" in pref
                    else f"{name}.DeploymentPreference: added"
                )
            if not isinstance(pref, MutableMapping):
                self.out.left.append(f"{name}.DeploymentPreference is not a mapping")
                continue
            if pref.get("Enabled", g_pref.get("Enabled")) is False:
                continue
            if "Alarms" not in pref and "Alarms" not in g_pref:
                alarm = self._alarm(name)
                put(pref, "Alarms", self.write.flow_list(self.write.ref(alarm)))
                self.out.changes.append(
                    f"{name}.DeploymentPreference.Alarms: {alarm} (Errors on {name}:alias)"
                )

    def _type_by_alias(self, canary: str) -> Any:
        return self.write.if_(self._prod_condition(), canary, "AllAtOnce")

    def _prod_condition(self) -> str:
        conditions = self.root.get("Conditions")
        wanted = self.write.equals(self.write.ref(self.parameter), self.prod_alias)
        if not isinstance(conditions, Mapping):
            put_section(self.root, "Conditions", self.write.mapping((PROD_CONDITION, wanted)))
            self._note_condition(PROD_CONDITION)
            return PROD_CONDITION
        for key, value in conditions.items():
            if _same(value, wanted):
                return str(key)
        key = unique_key(conditions, PROD_CONDITION)
        put(conditions, key, wanted)
        self._note_condition(key)
        return key

    def _note_condition(self, key: str) -> None:
        self.out.changes.append(
            f"Conditions.{key}: !Equals [!Ref {self.parameter}, {self.prod_alias}]"
        )

    def _alarm(self, function: str) -> str:
        key = unique_key(self.resources, f"{function}ErrorsAlarm")
        w = self.write
        alarm = w.mapping(
            ("Type", "AWS::CloudWatch::Alarm"),
            (
                "Properties",
                w.mapping(
                    (
                        "AlarmDescription",
                        f"Errors of {function}'s new version on its alias during a release",
                    ),
                    ("Namespace", "AWS/Lambda"),
                    ("MetricName", "Errors"),
                    (
                        "Dimensions",
                        w.block_list(
                            w.mapping(
                                ("Name", "Resource"),
                                ("Value", w.sub(f"${{{function}}}:${{{self.parameter}}}")),
                            ),
                            w.mapping(("Name", "FunctionName"), ("Value", w.ref(function))),
                        ),
                    ),
                    ("Statistic", "Sum"),
                    ("Period", 60),
                    ("EvaluationPeriods", 1),
                    ("Threshold", 1),
                    ("ComparisonOperator", "GreaterThanOrEqualToThreshold"),
                    ("TreatMissingData", "notBreaching"),
                ),
            ),
        )
        put(self.resources, key, alarm, section=True)
        return key

    # -- invocation targets -----------------------------------------------------------

    def invocation_targets(self) -> None:
        sam = {name for name, _ in self.functions()}
        others = {
            str(n)
            for n, node in self.resources.items()
            if isinstance(node, Mapping) and node.get("Type") == "AWS::Lambda::Function"
        }
        moved: set[str] = set()
        for name, node in list(self.resources.items()):
            if not isinstance(node, Mapping):
                continue
            for label, function, unfixable in targets.retarget(
                str(name), node, sam, others, self.write, self.parameter
            ):
                if function:
                    self.out.changes.append(f"{name}.{label}")
                    moved.add(function)
                if unfixable:
                    self.out.left.append(f"{name}.{unfixable}")
        self.out.changes.extend(grants.widen(self.resources, moved & sam, self.write))

    def run(self) -> Fixes:
        if not isinstance(self.root, Mapping) or not isinstance(
            self.root.get("Resources"), Mapping
        ):
            self.out.left.append("not a CloudFormation template: no Resources mapping")
            return self.out
        if not self.functions():
            self.out.left.extend(
                f"{n}: an AWS::Lambda::Function; write its AWS::Lambda::Version and "
                "AWS::Lambda::Alias by hand"
                for n, node in self.resources.items()
                if isinstance(node, Mapping) and node.get("Type") == "AWS::Lambda::Function"
            )
            return self.out
        self.transform()
        self.alias_parameter()
        self.auto_publish_alias()
        if "names" in self.steps:
            self.physical_names()
        if "preferences" in self.steps:
            self.deployment_preferences()
        if "targets" in self.steps:
            self.invocation_targets()
        return self.out


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _same(a: Any, b: Any) -> bool:
    ra, rb = read(a), read(b)
    if ra is not None or rb is not None:
        if ra is None or rb is None or ra[0] != rb[0]:
            return False
        # a tagged sequence is its own argument: compare its items as a plain list
        return _same(_plain(ra[1]), _plain(rb[1]))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def fix_tree(
    root: Any,
    *,
    yaml_style: bool,
    aliases: Sequence[str] = ("STAGING", "PROD"),
    prod_alias: str = "PROD",
    steps: Collection[str] = STEPS,
) -> Fixes:
    """Apply the mechanical fixes (``steps`` of them) to ``root`` in place; what changed
    and what is left."""
    return _Fixer(root, Writer(yaml_style), aliases, prod_alias, steps).run()
