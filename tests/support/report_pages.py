"""Reading a release's report back: its Markdown (function rows, outcome, why) and the
facts a rendered HTML page shows (function rows, outcome, the chart's readings)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_UNESCAPE = re.compile(r"\\(.)")


def md_text(cell: str) -> str:
    """Markdown-escaped text back to the text it stands for."""
    text = _UNESCAPE.sub(r"\1", cell.strip())
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def md_cells(line: str) -> list[str]:
    """A table row's cells, split on unescaped pipes."""
    inner = line.strip()[1:-1]
    return [md_text(c) for c in re.split(r"(?<!\\)\|", inner)]


@dataclass
class MarkdownReport:
    title: str
    functions: dict[str, dict[str, str]]
    outcome: str
    why: list[str]
    canary: list[str]
    undone: str


def parse_markdown(text: str) -> MarkdownReport:
    lines = text.splitlines()
    title = md_text(lines[0].removeprefix("### "))
    table = [line for line in lines if line.startswith("|")]
    head = md_cells(table[0])
    functions = {}
    for row in table[2:]:
        cells = dict(zip(head, md_cells(row), strict=True))
        functions[cells["function"]] = cells
    at = next(i for i, line in enumerate(lines) if line.startswith("**Outcome**: "))
    outcome = md_text(lines[at].removeprefix("**Outcome**: "))
    why = []
    for line in lines[at + 1 :]:
        if not line.startswith("- "):
            break
        why.append(md_text(line[2:]))
    canary_at = next((i for i, line in enumerate(lines) if line.startswith("**Canary**")), None)
    canary = []
    if canary_at is not None:
        for line in lines[canary_at + 1 :]:
            if not line.startswith("- "):
                break
            canary.append(md_text(line[2:]))
    undone = next(md_text(line) for line in lines if line.startswith(("**Undone**", "**Undoes**")))
    return MarkdownReport(title, functions, outcome, why, canary, undone)


@dataclass
class PageFacts(HTMLParser):
    """What a report page shows: function rows, outcome, why, chart points and lanes."""

    rows: dict[str, list[str]] = field(default_factory=dict)
    outcome: str = ""
    why: list[str] = field(default_factory=list)
    points: list[dict[str, str]] = field(default_factory=list)
    lanes: list[dict[str, str]] = field(default_factory=list)
    scripts: int = 0
    urls: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # in-page links: href="#..."
    sections: list[str] = field(default_factory=list)  # ids of the <section>s
    _row: str | None = None
    _cells: list[str] = field(default_factory=list)
    _in: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self._in.append(tag if tag not in ("ul",) else f"ul.{a.get('class', '')}")
        if tag == "script":
            self.scripts += 1
        for key, value in a.items():
            if key == "href" and value.startswith("#"):
                self.anchors.append(value[1:])  # a link within the page fetches nothing
                continue
            if key in ("src", "href", "xmlns", "action", "srcset", "poster") or re.search(
                r"(?i)(https?:|url\()", value
            ):
                self.urls.append(f"{tag} {key}={value}")
        if tag == "section" and a.get("id"):
            self.sections.append(a["id"])
        if tag == "tr" and "data-function" in a:
            self._row, self._cells = a["data-function"], []
        elif tag == "td" and self._row is not None:
            self._cells.append("")
        elif tag == "circle" and "data-share" in a:
            self.points.append(a)
        elif tag == "rect" and "data-state" in a:
            self.lanes.append(a)
        elif tag == "span" and a.get("class") == "outcome-text":
            self._in.append("OUTCOME")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows[self._row] = self._cells
            self._row = None
        if self._in and self._in[-1] == "OUTCOME":
            self._in.pop()
        if self._in:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._cells and self._in[-1:] == ["td"]:
            self._cells[-1] += data
        elif "OUTCOME" in self._in:
            self.outcome += data
        elif self._in[-2:] == ["ul.why", "li"]:
            self.why.append(data)


def page_facts(html: str) -> PageFacts:
    facts = PageFacts()
    facts.feed(html)
    facts.close()
    return facts
