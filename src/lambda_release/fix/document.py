"""A template file loaded for editing and written back with every untouched byte kept.

YAML goes through ruamel.yaml's round-trip mode (comments, key order, quoting and
short intrinsic tags survive); JSON through the standard library with the file's own
indentation. Either serialiser may still normalise something the fix never touched
(a folded scalar's indentation, spacing inside a flow list, JSON separators), so the
written text is not the serialiser's output: it is the original text with only the
serialiser's *changes* applied (see ``splice``).
"""

from __future__ import annotations

import difflib
import io
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_release.check import INSTALL_HINT
from lambda_release.errors import UsageError
from lambda_release.fix import layout
from lambda_release.fix.bounded import bounded_load

BOM = "\ufeff"


def _yaml() -> Any:
    try:
        from ruamel.yaml import YAML  # noqa: PLC0415 - optional dependency, imported on use
    except ImportError as exc:
        raise UsageError(
            f"check --fix needs ruamel.yaml, which is not installed ({exc}): {INSTALL_HINT}"
        ) from exc
    return YAML


@dataclass
class Document:
    """One template: its text as read, its tree (mutable), and how to write it back."""

    path: Path
    text: str
    data: Any
    is_json: bool
    _yaml: Any = None
    _json_indent: int | None = 2
    bom: str = ""  # a UTF-8 byte order mark the file starts with, written back as found

    @classmethod
    def read(cls, path: Path) -> Document:
        return cls.parse(path, cls.read_text(path))

    @staticmethod
    def read_text(path: Path) -> str:
        """The file's text as written: line endings and a byte order mark kept."""
        if not path.is_file():
            raise UsageError(f"template {str(path)!r} does not exist: give the path to a template")
        try:
            with path.open(encoding="utf-8", newline="") as f:  # keep \r\n as written
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read template {path}: {exc}; give a readable file") from exc
        return text

    @classmethod
    def parse(cls, path: Path, text: str) -> Document:
        bom = BOM if text.startswith(BOM) else ""
        text = text[len(bom) :]
        if text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise UsageError(f"cannot read template {path}: {exc}; fix the JSON") from exc
            return cls(path, text, data, True, None, _json_indent(text), bom)
        yaml = _round_trip_yaml(text)
        try:
            data = _load(yaml, text)
        except UsageError as exc:
            raise UsageError(f"cannot read template {path}: {exc}") from exc
        except Exception as exc:  # ruamel raises many error classes, all of them bad input
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"cannot read template {path}: {first}; fix the YAML") from exc
        return cls(path, text, data, False, yaml, bom=bom)

    def serialise(self, data: Any) -> str:
        if self.is_json:
            out = json.dumps(data, indent=self._json_indent, ensure_ascii=False)
            return out + "\n" if self.text.endswith("\n") else out
        buf = io.StringIO()
        self._yaml.dump(data, buf)
        return buf.getvalue()

    def _means_the_same(self, text: str) -> bool:
        """Whether ``text`` holds exactly the edited tree (comments and layout aside)."""
        try:
            return bool(plain(self.parse(self.path, text).data) == plain(self.data))
        except UsageError:
            return False

    def render(self) -> str:
        """The new text: the original, changed only where the tree was changed.

        Windows line endings are worked on as plain newlines and put back, so that
        every line keeps its ending (the serialisers write ``\n`` only). Raises
        LayoutError when the edit cannot be written without touching other lines.
        """
        crlf = "\r\n" in self.text
        text = self.text.replace("\r\n", "\n") if crlf else self.text
        old = self.parse(self.path, text).data
        if self.is_json:
            out = splice(text, self.serialise(old), self.serialise(self.data))
        else:
            out = layout.render(text, old, self.data, self._yaml, plain)
            if not self._means_the_same(out):  # a string changed in place read otherwise
                out = layout.render(text, old, self.data, self._yaml, plain, patch=False)
        if not self._means_the_same(out):
            raise layout.LayoutError(
                "the edit cannot be written without rewriting lines it does not change"
            )
        out = out.replace("\n", "\r\n") if crlf else out
        return self.bom + out


_WHITESPACE_LINE = re.compile(r"^[ \t]+(?=\r?$)", re.MULTILINE)


def _load(yaml: Any, text: str) -> Any:
    """The tree of ``text``. ruamel refuses a block scalar whose first line holds only
    spaces, fewer than its text's (YAML allows it, and cfn-lint's decoder reads it): such
    lines are read as empty then. The layout copies the original lines, spaces and all."""
    try:
        return bounded_load(yaml, text)
    except UsageError:
        raise
    except Exception:
        blanked = _WHITESPACE_LINE.sub("", text)
        if blanked == text:
            raise
        return bounded_load(yaml, blanked)


def plain(node: Any) -> Any:
    """A tree as plain data, tags kept as ``{tag: value}``: what a template means."""
    tag = getattr(getattr(node, "tag", None), "value", None)
    if isinstance(node, dict):
        value: Any = {str(k): plain(v) for k, v in node.items()}
    elif isinstance(node, list):
        value = [plain(v) for v in node]
    elif hasattr(node, "value") and tag:  # a tagged scalar
        return {tag: str(node.value)}
    elif isinstance(node, str):
        value = str(node)
    else:
        value = node
    return {tag: value} if isinstance(tag, str) and tag.startswith("!") else value


def _round_trip_yaml(text: str) -> Any:
    yaml = _yaml()(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never re-wrap a long line
    mapping, sequence, offset = guess_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


_KEY_LINE = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")


def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as most of the file writes them."""
    mappings: dict[int, int] = {}
    offsets: dict[int, int] = {}
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for prev, line in itertools.pairwise(lines):
        m = _KEY_LINE.match(prev)
        if not m:
            continue
        base = len(m.group(1))
        depth = len(line) - len(line.lstrip(" "))
        if depth <= base:
            continue
        if line.lstrip().startswith("- "):
            offsets[depth - base] = offsets.get(depth - base, 0) + 1
        else:
            mappings[depth - base] = mappings.get(depth - base, 0) + 1
    mapping = max(mappings, key=lambda k: mappings[k]) if mappings else 2
    offset = max(offsets, key=lambda k: offsets[k]) if offsets else 2  # SAM docs write "  - "
    return mapping, offset + 2, offset


def _json_indent(text: str) -> int | None:
    for line in text.splitlines()[1:]:
        if line.strip():
            depth = len(line) - len(line.lstrip(" "))
            return depth or None
    return None


def splice(original: str, baseline: str, changed: str) -> str:
    """Apply the serialiser's edits (``baseline`` -> ``changed``) to ``original``.

    ``baseline`` is the unmodified tree serialised, so it differs from ``original`` only
    by the serialiser's normalisation. Every stretch of lines the edit kept is written as
    the original wrote it; only lines the edit inserted or replaced come from ``changed``.
    """
    if baseline == original:
        return changed
    orig, base, new = (s.splitlines(keepends=True) for s in (original, baseline, changed))
    groups = _align(orig, base)
    out: list[str] = []
    edit = difflib.SequenceMatcher(None, base, new, autojunk=False)
    for tag, b1, b2, n1, n2 in edit.get_opcodes():
        if tag != "equal":
            out.extend(new[n1:n2])
            continue
        i = b1
        while i < b2:
            start, end, text = groups[i]
            if start >= b1 and end <= b2:
                out.extend(text)
                i = end
            else:  # a normalised stretch the edit cut through: the serialiser's lines
                stop = min(end, b2)
                out.extend(base[i:stop])
                i = stop
    out.extend(groups[len(base)][2])
    # an original last line without its newline may no longer be last
    return "".join(
        ln if ln.endswith("\n") or i == len(out) - 1 else ln + "\n" for i, ln in enumerate(out)
    )


Group = tuple[int, int, list[str]]  # baseline lines [start, end) and the original lines for them


def _align(orig: list[str], base: list[str]) -> dict[int, Group]:
    """Baseline line -> the stretch it belongs to and that stretch's original text."""
    groups: dict[int, Group] = {}
    pending: list[str] = []  # original lines the serialiser dropped, kept with what follows
    for tag, o1, o2, b1, b2 in difflib.SequenceMatcher(
        None, orig, base, autojunk=False
    ).get_opcodes():
        if tag == "delete":
            pending.extend(orig[o1:o2])
            continue
        if tag == "equal":
            for k in range(b2 - b1):
                group: Group = (b1 + k, b1 + k + 1, [*pending, orig[o1 + k]])
                pending = []
                groups[b1 + k] = group
            continue
        group = (b1, b2, [*pending, *orig[o1:o2]])
        pending = []
        for k in range(b1, b2):
            groups[k] = group
    groups[len(base)] = (len(base), len(base), pending)
    return groups
