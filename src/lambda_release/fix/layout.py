"""A changed YAML tree written back into its original text, entry by entry.

Every mapping entry and list item whose meaning the fix did not change is copied
from the original text byte for byte; a changed block mapping or list is entered and
the same applied inside; only an entry that is new, or whose value itself changed, is
written by the serialiser, at the column of its siblings. Blank lines and comments
written before an entry (at or left of its column) travel with that entry; comments
on the entry's own lines stay on them. The result is proven by the caller: parsed
again, it must mean the edited tree.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Callable, Mapping
from typing import Any

Plain = Callable[[Any], Any]


class LayoutError(Exception):
    """The tree holds a change this writer cannot place (the caller refuses the edit)."""


def _is_block(node: Any, kind: type) -> bool:
    fa = getattr(node, "fa", None)
    return isinstance(node, kind) and fa is not None and not fa.flow_style() and bool(node)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank_or_comment(line: str, col: int) -> bool:
    text = line.strip()
    return not text or (text.startswith("#") and _indent(line) <= col)


class Layout:
    """Renders ``new`` (the edited tree) over ``lines`` (the text ``old`` was read from)."""

    def __init__(self, lines: list[str], yaml: Any, plain: Plain, patch: bool = True) -> None:
        self.patch = patch  # change a string in place (off: write it anew)
        self.lines = lines
        self.yaml = yaml
        self.plain = plain
        self.out: list[str] = []

    def emit(self, chunk: list[str]) -> None:
        if chunk and self.out and not self.out[-1].endswith("\n"):
            self.out[-1] += "\n"  # the original's last line had no newline, and is no longer last
        self.out.extend(chunk)

    def same(self, a: Any, b: Any) -> bool:
        return bool(self.plain(a) == self.plain(b))

    def dump(self, node: Any, col: int) -> list[str]:
        buf = io.StringIO()
        saved = self.yaml.version, self.yaml.explicit_start, self.yaml.explicit_end
        self.yaml.version, self.yaml.explicit_start, self.yaml.explicit_end = None, False, False
        try:  # a fragment, not a document: no %YAML directive, no --- or ...
            self.yaml.dump(node, buf)
        finally:
            self.yaml.version, self.yaml.explicit_start, self.yaml.explicit_end = saved
        raw = [
            ln
            for ln in buf.getvalue().splitlines(keepends=True)
            if ln.rstrip() not in ("...", "---") and not ln.startswith("%")
        ]
        depth = min((_indent(ln) for ln in raw if ln.strip()), default=0)
        return [(" " * col + ln[depth:]) if ln.strip() else ln for ln in raw]

    def dump_entry(self, key: Any, value: Any, col: int) -> list[str]:
        from ruamel.yaml.comments import CommentedMap  # noqa: PLC0415 - optional dependency

        return self.dump(CommentedMap([(key, value)]), col)

    def dump_item(self, value: Any, col: int) -> list[str]:
        from ruamel.yaml.comments import CommentedSeq  # noqa: PLC0415

        seq = CommentedSeq([value])
        seq.fa.set_block_style()
        return self.dump(seq, col)

    # -- mappings ------------------------------------------------------------------

    def mapping(self, old: Any, new: Any, start: int, end: int) -> None:
        """``old``'s entries occupy lines [start, end); write ``new`` in their place."""
        keys = list(old)
        col = old.lc.key(keys[0])[1]
        firsts = [old.lc.key(k)[0] for k in keys]
        begins = [start] + [
            self._leading(firsts[i], firsts[i - 1], col) for i in range(1, len(keys))
        ]
        ends = [*begins[1:], end]
        spans = {k: (begins[i], firsts[i], ends[i]) for i, k in enumerate(keys)}
        separated = any(not self.lines[b].strip() for b in begins[1:])
        for key in new:
            if key in spans:
                self.entry(key, old[key], new[key], spans[key], col)
                continue
            chunk = self.dump_entry(key, new[key], col)
            if separated and self.out and self.out[-1].strip():
                chunk = ["\n", *chunk]  # set apart as its siblings are
            self.emit(chunk)

    def _leading(self, first: int, floor: int, col: int) -> int:
        """Where the blank lines and comments that introduce the entry at ``first`` begin."""
        i = first
        while i - 1 > floor and _blank_or_comment(self.lines[i - 1], col):
            i -= 1
        return i

    def entry(self, key: Any, old: Any, new: Any, span: tuple[int, int, int], col: int) -> None:
        begin, first, end = span
        if self.same(old, new) and _tag(old) == _tag(new):
            self.emit(self.lines[begin:end])
            return
        self.emit(self.lines[begin:first])
        if _tag(old) == _tag(new) and _is_block(old, Mapping) and _is_block(new, Mapping):
            inner = old.lc.key(next(iter(old)))[0]
            if inner > first:
                self.emit(self.lines[first:inner])
                self.mapping(old, new, inner, end)
                return
        if _tag(old) == _tag(new) and _is_block(old, list) and _is_block(new, list):
            inner = next(
                (i for i in range(first + 1, end) if not _blank_or_comment(self.lines[i], 1 << 30)),
                end,
            )
            if inner < end and self.lines[inner].lstrip().startswith("-"):
                items = self._items(old, new, inner, end, _indent(self.lines[inner]))
                if items is not None:
                    self.emit(self.lines[first:inner])
                    self.sequence(old, new, items)
                    return
        patched = self.patch_scalar(old, new, first, end)
        if patched is not None:
            self.emit(patched)
            return
        self.replace(key, new, first, end, col)

    def patch_scalar(self, old: Any, new: Any, first: int, end: int) -> list[str] | None:
        """A changed string written as the original wrote it, only the changed part new."""
        ov, nv = _scalar_text(old), _scalar_text(new)
        if not self.patch or ov is None or nv is None or _tag(old) != _tag(new):
            return None
        text = "".join(self.lines[first:end])
        edits: list[tuple[int, int, str]] = []
        matcher = difflib.SequenceMatcher(None, ov, nv, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            found = _unique_place(text, ov, i1, i2)
            if found is None:
                return None
            edits.append((found[0], found[1], nv[j1:j2]))
        for lo, hi, repl in sorted(edits, reverse=True):
            if any(ch in repl for ch in "\n'\"#") or any(
                lo < b and a < hi for a, b, _ in edits if (a, b) != (lo, hi)
            ):
                return None
            text = text[:lo] + repl + text[hi:]
        return text.splitlines(keepends=True)

    def replace(self, key: Any, new: Any, first: int, end: int, col: int) -> None:
        chunk = self.dump_entry(key, new, col)
        chunk[0] = self.lines[first][:col] + chunk[0][col:]  # a list item's dash stays
        comment = _inline_comment(self.lines[first])
        if comment and len(chunk) == 1 and "#" not in chunk[0]:
            chunk = [chunk[0].rstrip("\n") + comment]
        tail = end
        while tail - 1 > first and _blank_or_comment(self.lines[tail - 1], 1 << 30):
            tail -= 1
        written = {c.strip() for c in chunk}
        kept = [ln for ln in self.lines[tail:end] if not ln.strip() or ln.strip() not in written]
        self.emit([*chunk, *kept])

    # -- sequences ------------------------------------------------------------------

    def _items(self, old: Any, new: Any, start: int, end: int, dash: int) -> list[int] | None:
        """Where each of ``old``'s items begins (its dash's line), or None if unsure."""
        if len(new) < len(old) or self.lines[start][dash : dash + 1] != "-":
            return None
        firsts = [start] + [
            i
            for i in range(start + 1, end)
            if _indent(self.lines[i]) == dash and self.lines[i][dash : dash + 1] == "-"
        ]
        if len(firsts) != len(old):
            return None
        begins = [start]
        begins += [self._leading(firsts[j], firsts[j - 1], dash) for j in range(1, len(old))]
        self._spans = (firsts, begins, [*begins[1:], end], dash)
        return firsts

    def sequence(self, old: Any, new: Any, firsts: list[int]) -> None:
        """Write ``new`` over ``old``'s items (placed by ``_items``, just before)."""
        _, begins, ends, dash = self._spans
        for j in range(len(old)):
            o, n = old[j], new[j]
            if self.same(o, n) and _tag(o) == _tag(n):
                self.emit(self.lines[begins[j] : ends[j]])
                continue
            self.emit(self.lines[begins[j] : firsts[j]])
            if _tag(o) == _tag(n) and _is_block(o, Mapping) and _is_block(n, Mapping):
                inner = o.lc.key(next(iter(o)))[0]  # the dash's line, or one after it
                self.emit(self.lines[firsts[j] : inner])
                self.mapping(o, n, inner, ends[j])
                continue
            line = self.lines[firsts[j]]
            inner_dash = line.find("-", dash + 1)
            if (
                _tag(o) == _tag(n)
                and _is_block(o, list)
                and _is_block(n, list)
                and inner_dash > 0
                and not line[dash + 1 : inner_dash].strip()
            ):
                items = self._items(o, n, firsts[j], ends[j], inner_dash)
                if items is not None:
                    self.sequence(o, n, items)
                    self._spans = (firsts, begins, ends, dash)
                    continue
            patched = self.patch_scalar(o, n, firsts[j], ends[j])
            self.emit(patched if patched is not None else self.dump_item(n, dash))
        for n in list(new)[len(old) :]:
            self.emit(self.dump_item(n, dash))


def _scalar_text(node: Any) -> str | None:
    value = getattr(node, "value", node)
    return value if isinstance(value, str) and not isinstance(node, Mapping | list) else None


def _unique_place(text: str, value: str, i1: int, i2: int) -> tuple[int, int] | None:
    """Where ``value[i1:i2]`` is in ``text``: widened by context until it occurs once."""
    for width in range(0, 64, 4):
        lo, hi = max(0, i1 - width), min(len(value), i2 + width)
        needle = value[lo:hi]
        if not needle or "\n" in needle:
            continue
        at = text.find(needle)
        if at >= 0 and text.find(needle, at + 1) < 0:
            return at + (i1 - lo), at + (i1 - lo) + (i2 - i1)
    return None


def _tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag)
    return value if isinstance(value, str) else None


def _inline_comment(line: str) -> str:
    """`` # comment\n`` ending ``line`` (a ``#`` after a space, outside quotes), else ''."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"" and (i == 0 or line[i - 1] in " :[{,-"):
            quote = ch
        elif ch == "#" and i > 0 and line[i - 1] in " \t":
            j = i
            while j > 0 and line[j - 1] in " \t":
                j -= 1
            return line[j:] if line.endswith("\n") else line[j:] + "\n"
    return ""


def render(text: str, old: Any, new: Any, yaml: Any, plain: Plain, patch: bool = True) -> str:
    """``text`` (which ``old`` was read from) with ``new``'s changes written in."""
    lines = text.splitlines(keepends=True)
    if not (_is_block(old, Mapping) and _is_block(new, Mapping)):
        raise LayoutError("the template is not a block mapping")
    layout = Layout(lines, yaml, plain, patch)
    first = old.lc.key(next(iter(old)))[0]
    layout.emit(lines[:first])
    layout.mapping(old, new, first, len(lines))
    return "".join(layout.out)
