"""Markdown model lists: the tables of seed 004 and of awesome-list READMEs, whatever their columns.

Columns are mapped by their header (``Model Name``, ``keywords``, ``大模型``, ``Params (B)``…); the
domain comes from the nearest section heading that names one. Rows may have stray pipes, missing or
extra cells, links and HTML in cells, and mis-encoded text: each repair is reported with the row.
awesome-huge-models' bullet entries (``- **Name** [[Org]]() Jun. 2023`` and a ```yaml block) are read too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modelatlas.catalog.links import list_repository
from modelatlas.catalog.names import name_key
from modelatlas.catalog.units import parse_count
from modelatlas.errors import BadArgument
from modelatlas.sources.importers._io import Progress, text_lines
from modelatlas.sources.importers._text import (
    Cell,
    arxiv_id,
    loose_date,
    parse_cell,
    repair,
    section_domain,
    size,
)
from modelatlas.sources.rows import ImportedRow, OrgRef, RowError, build_model

__all__ = ["read"]

#: Header words → field. Matched against the folded header, whole or before a parenthesis.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("year", "date", "release date", "released", "年份", "时间", "发布时间", "发布日期"),
    "name": (
        "model name",
        "model",
        "name",
        "language model",
        "keywords",
        "模型",
        "模型名称",
        "大模型",
        "名称",
        "底座",
    ),
    "title": ("title", "paper title", "论文标题", "标题"),
    "venue": ("venue", "conference", "发表", "会议", "期刊"),
    "paper": ("paper", "paper/blog", "paper link", "arxiv", "论文", "论文链接"),
    "code": ("code", "github", "repo", "代码", "代码链接", "开源地址"),
    "weights": ("checkpoints", "weights", "权重", "huggingface", "hugging face"),
    "params": ("params", "parameters", "size", "#params", "参数", "参数量", "参数规模", "模型参数大小"),
    "tokens": ("tokens", "training tokens", "训练token数"),
    "context": ("context length", "context", "上下文长度", "训练最大长度"),
    "license": ("license", "licence", "许可证", "是否可商用"),
    "org": (
        "institute",
        "institution",
        "organization",
        "org",
        "team",
        "公司",
        "机构",
        "团队",
        "单位",
        "开发者",
    ),
    "homepage": ("homepage", "website", "官网"),
}
_UNIT = re.compile(r"\(([kmbt])\)", re.IGNORECASE)
_NOT_MODELS = (
    "dataset",
    "数据集",
    "benchmark",
    "leaderboard",
    "评测",
    "framework",
    "框架",
    "tutorial",
    "教程",
)
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
#: Words after a Chinese name that describe it: ``Gemini多模态大模型``, ``千穰大模型``.
_DESCRIPTION = re.compile(r"(?:多模态|语言)?大模型$")
#: A name cell that is a list of links, one model each: ``[盘古](…),[盘古气象](…),[盘古-Σ](…)``.
_LINK_ITEM = re.compile(r"\[[^\]]+\]\([^)\s]+\)")
_LINK_LIST = re.compile(r"\s*\[[^\]]+\]\([^)\s]+\)(?:\s*[,，、;；]\s*\[[^\]]+\]\([^)\s]+\))+\s*")
_BULLET = re.compile(r"^- \*\*(?P<name>[^*]+)\*\*\s*(?:\[\[(?P<org>[^\]]*)\]\]\([^)]*\))?\s*(?P<rest>.*)$")


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportedRow]:
    """Yield a row for every table row and bullet entry of the markdown file ``path``."""
    accessed = dt.date.fromtimestamp(path.stat().st_mtime) if path.exists() else dt.date.today()
    reader = _Reader(path, accessed)
    yield from reader.rows(text_lines(path, progress))


class _Reader:
    def __init__(self, path: Path, accessed: dt.date) -> None:
        self.path, self.accessed = path, accessed
        self.headings: list[tuple[int, str]] = []
        self.seen: dict[str, int] = {}

    def rows(self, lines: Iterator[tuple[int, str]]) -> Iterator[ImportedRow]:
        pending: tuple[int, str] | None = None  # a line that may be a table header
        table: tuple[int, list[str], list[int]] | None = None  # header line, its columns and their units
        bullet: tuple[int, str, str | None, str] | None = None
        yaml_lines: list[str] | None = None
        for number, text in lines:
            if yaml_lines is not None:
                if text.strip().startswith("```"):
                    entry = self._bullet(*bullet, yaml_lines) if bullet else None
                    if entry:
                        yield entry
                    bullet, yaml_lines = None, None
                else:
                    yaml_lines.append(text)
                continue
            stripped = text.strip()
            if table is not None:
                if stripped.startswith("|") or (stripped.count("|") >= 2 and stripped):
                    yield from self._table_rows(number, table, stripped)
                    continue
                table = None
            if stripped.startswith("#"):
                level = len(stripped) - len(stripped.lstrip("#"))
                self.headings = [h for h in self.headings if h[0] < level] + [(level, stripped.lstrip("#"))]
            if pending is not None and _SEPARATOR.match(stripped):
                header = _split(pending[1])
                table = (pending[0], [_header(c) for c in header], [_header_unit(c) for c in header])
                pending = None
                continue
            pending = (number, stripped) if "|" in stripped else None
            found = _BULLET.match(stripped)
            if found:
                entry = self._bullet(*bullet, []) if bullet else None
                if entry:
                    yield entry
                bullet = (number, found["name"], found["org"], found["rest"])
            elif bullet and stripped.startswith("```"):
                yaml_lines = []
            elif bullet and text.startswith((" ", "\t")) and stripped and not bullet[3].count("\n"):
                bullet = (*bullet[:3], bullet[3] + "\n" + stripped)
            elif bullet and stripped.startswith("- "):
                entry = self._bullet(*bullet, [])
                if entry:
                    yield entry
                bullet = None
        entry = self._bullet(*bullet, []) if bullet else None
        if entry:
            yield entry

    # -- tables -----------------------------------------------------------------------------------------

    def _table_rows(
        self, number: int, table: tuple[int, list[str], list[int]], text: str
    ) -> Iterator[ImportedRow]:
        """The row, or one row per model when its name cell links several (``[盘古](…),[盘古气象](…)``):
        each name with its own link, the other cells shared."""
        seen = dict(self.seen)
        row = self._table_row(number, table, text)
        names = self._linked_names(table, text)
        if row.model is None or len(names) < 2:
            yield row
            return
        self.seen = seen
        for cell in names:
            yield self._table_row(number, table, text, name_cell=cell)

    def _linked_names(self, table: tuple[int, list[str], list[int]], text: str) -> list[Cell]:
        columns = table[1]
        raw = _split(text)
        if "name" not in columns or columns.index("name") >= len(raw):
            return []
        cell = raw[columns.index("name")].strip()
        if not _LINK_LIST.fullmatch(cell):
            return []
        return [parse_cell(part) for part in _LINK_ITEM.findall(cell)]

    def _table_row(
        self,
        number: int,
        table: tuple[int, list[str], list[int]],
        text: str,
        *,
        name_cell: Cell | None = None,
    ) -> ImportedRow:
        header_line, columns, units = table
        raw = _split(text)
        if not any(columns):  # seed 003: no header; cells say what they are ("9.83 亿个参数")
            columns[:] = _infer(raw)
            units[:] = [1] * len(columns)
        repairs: list[str] = []
        if len(raw) > len(columns):
            extra = raw[len(columns) :]
            if any(c.strip() for c in extra):
                repairs.append(f"dropped {len(extra)} extra cell(s): {' | '.join(c.strip() for c in extra)}")
            else:
                repairs.append(f"dropped {len(extra)} empty extra cell(s) (stray pipes)")
            raw = raw[: len(columns)]
        elif len(raw) < len(columns):
            repairs.append(f"row has {len(raw)} cells, the header {len(columns)}: the missing ones are empty")
            raw += [""] * (len(columns) - len(raw))
        cells: dict[str, Cell] = {}
        for column, value in zip(columns, raw, strict=True):
            fixed = repair(value)
            if fixed != value:
                repairs.append(f"repaired mis-encoded text {value.strip()!r} → {fixed.strip()!r}")
            if column and column not in cells:
                cells[column] = parse_cell(fixed)
        if name_cell is not None:
            cells["name"] = name_cell
        name = cells["name"].text if "name" in cells else ""
        if "name" not in cells:
            return ImportedRow.skip(number, name, f"table at line {header_line} has no model-name column")
        if self._not_models():
            return ImportedRow.skip(
                number, name, f"section {self._not_models()!r} lists no models", not_a_model=True
            )
        if cells["name"].empty:
            return ImportedRow.skip(number, "", "no model name")
        unit = {c: u for c, u in zip(columns, units, strict=True) if c}
        return self._row(number, name, cells, unit, repairs)

    def _row(
        self, number: int, name: str, cells: dict[str, Cell], unit: dict[str, int], repairs: list[str]
    ) -> ImportedRow:
        plain = _DESCRIPTION.sub("", name)
        if plain != name and len(plain) >= 2:
            repairs.append(f"name {name!r} read as {plain!r} (the rest describes it)")
            name = plain
        org = cells.get("org")
        # one model listed twice is a duplicate; the same name from another maker is another model
        key = f"{name_key(name)}|{name_key(org.text) if org else ''}"
        if key in self.seen:
            return ImportedRow.skip(number, name, f"duplicate of line {self.seen[key]}")
        self.seen[key] = number
        fields: dict[str, Any] = {"name": name, "domains": [self._domain()]}
        year = cells.get("year")
        if year and not year.empty:
            released = loose_date(year.text.split(" ")[0])
            if released:
                fields["released"] = released
            else:
                repairs.append(f"date {year.text!r} not understood; left empty")
        _links(fields, cells, [u for c in cells.values() for u in c.urls], repairs)
        for column, target, binary in (("params", "parameters", False), ("context", "context_length", True)):
            cell = cells.get(column)
            if cell and not cell.empty:
                value = _count(cell.text, unit.get(column, 1), binary, column, repairs)
                if value is not None:
                    fields[target] = {"total": value} if target == "parameters" else value
        tokens = cells.get("tokens")
        if tokens and not tokens.empty:
            value = _count(tokens.text, 1, False, "tokens", repairs)
            fields["training"] = {"tokens": value} if value is not None else None
        license_ = cells.get("license")
        if license_ and not license_.empty:
            fields["license"] = license_.text
        orgs = [OrgRef(name=o.strip()) for o in re.split(r"[,，、&/]", org.text) if o.strip()] if org else []
        return self._make(number, name, fields, orgs if org and not org.empty else [], repairs)

    # -- bullets (awesome-huge-models) --------------------------------------------------------------------

    def _bullet(
        self, number: int, name: str, org: str | None, rest: str, block: list[str]
    ) -> ImportedRow | None:
        """An awesome-huge-models entry; None for other bold bullets (``- **模型增长技术**：…`` is prose)."""
        if org is None and not block:
            return None
        name = repair(name.strip())
        if self._not_models():
            return ImportedRow.skip(
                number, name, f"section {self._not_models()!r} lists no models", not_a_model=True
            )
        key = name_key(name)
        if key in self.seen:
            return ImportedRow.skip(number, name, f"duplicate of line {self.seen[key]}")
        self.seen[key] = number
        repairs: list[str] = []
        pairs = (line.partition(":") for line in block)
        info = {k.strip().casefold(): v.strip() for k, _, v in pairs if v.strip()}
        domain = section_domain(info.get("field", "")) or self._domain()
        fields: dict[str, Any] = {"name": name, "domains": [domain]}
        first, _, second = rest.partition("\n")
        rest_cell = parse_cell(rest)
        title = parse_cell(re.sub(r"\[\[[^\]]*\]\]\([^)]*\)", "", second)).text
        cells = {"title": Cell(title, (), second)} if title else {}
        date = re.search(r"[A-Z][a-z]{2,8}\.? \d{4}", rest_cell.text)
        if date:
            fields["released"] = loose_date(date.group(0))
        _links(fields, cells, list(rest_cell.urls), repairs)
        info.setdefault("context", info.get("context length", ""))
        for label, target in (("params", "parameters"), ("context", "context_length")):
            if info.get(label):
                value = _count(info[label], 1, target == "context_length", label, repairs)
                if value is not None:
                    fields[target] = {"total": value} if target == "parameters" else value
        if "license" in info:
            fields["license"] = info["license"]
        if "training data" in info:
            fields["training"] = {"dataset": info["training data"]}
        orgs = [OrgRef(name=o.strip()) for o in (org or "").split(",") if o.strip()]
        return self._make(number, name, fields, orgs, repairs)

    # -- shared -------------------------------------------------------------------------------------------

    def _make(
        self, number: int, name: str, fields: dict[str, Any], orgs: list[OrgRef], repairs: list[str]
    ) -> ImportedRow:
        try:
            model = build_model(
                fields,
                source_id="paper-table",
                accessed=self.accessed,
                citation=f"{self.path.name}, line {number}",
                title=parse_cell(repair(self._section())).text or None,
            )
        except RowError as exc:
            return ImportedRow.skip(number, name, f"invalid: {exc}")
        return ImportedRow(line=number, name=name, model=model, organizations=orgs, repairs=repairs)

    def _not_models(self) -> str | None:
        """The heading, if any, that says this part of the file lists datasets, frameworks or the like."""
        for _, heading in self.headings:
            if any(w in heading.casefold() for w in _NOT_MODELS):
                return heading.strip()
        return None

    def _section(self) -> str:
        return self.headings[-1][1] if self.headings else ""

    def _domain(self) -> str:
        for _, heading in reversed(self.headings):
            found = section_domain(heading)
            if found:
                return found
        return section_domain(self.path.stem.replace("_", " ")) or "other"


def _split(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip() and line.strip().endswith("|"):
        cells = cells[:-1]
    return cells


def _header(cell: str) -> str:
    text = parse_cell(repair(cell)).text.casefold()
    for field, words in _COLUMNS.items():
        if text in words or re.sub(r"\s*\(.*\)\s*$", "", text) in words:
            return field
    return ""


def _infer(cells: list[str]) -> list[str]:
    """Columns of a table without a header, from its first row: a date, a parameter count, the name."""
    columns = []
    for raw in cells:
        text = parse_cell(raw).text
        if loose_date(text.split(" ")[0] if text else ""):
            columns.append("year")
        elif re.search(r"参数|param", text, re.IGNORECASE):
            columns.append("params")
        elif text and "name" not in columns:
            columns.append("name")
        else:
            columns.append("")
    return columns


def _header_unit(cell: str) -> int:
    """``Params (B)`` → 10**9: the unit a header gives its column's numbers."""
    found = _UNIT.search(cell)
    return parse_count(f"1{found.group(1)}") if found else 1


def _count(cell: str, unit: int, binary: bool, column: str, repairs: list[str]) -> int | None:
    text = re.sub(r"\s*(个参数|参数|parameters|params)\s*$", "", cell, flags=re.IGNORECASE)
    text = re.sub(r"^(\d+(?:\.\d+)?)\s+(?=[^\d\s,])", r"\1", text.strip())  # "9.83 亿" → "9.83亿"
    if re.fullmatch(r"0+(\.0+)?\D*", text):
        repairs.append(f"{column} {cell!r} is zero: read as unknown; left empty")
        return None
    if _UNIT.search(text):  # a unit in the cell, "7 (B)", wins over the header's
        unit = _header_unit(text)
    try:
        return size(_UNIT.sub("", text), unit, binary_k=binary)
    except BadArgument:
        repairs.append(f"{column} {cell!r} is not one number (a range or a list?); left empty")
        return None


def _links(fields: dict[str, Any], cells: dict[str, Cell], urls: list[str], repairs: list[str]) -> None:
    """Papers, code, weights and homepage from the URLs of a row, by what each URL points at."""
    paper: dict[str, Any] = {}
    title = cells.get("title")
    if title and not title.empty:
        paper["title"] = title.text
    venue = cells.get("venue")
    if venue and not venue.empty and not venue.urls:
        paper["venue"] = venue.text
    code, weights, homepage = [], [], None
    for url in dict.fromkeys(urls):
        found = arxiv_id(url)
        hf = re.match(r"^https?://huggingface\.co/([\w.-]+/[\w.-]+)/?$", url)
        if found:
            paper.setdefault("arxiv", found)
        elif hf and not hf.group(1).startswith(("spaces/", "datasets/", "collections/")):
            weights.append(hf.group(1))
        elif re.match(r"^https?://(github\.com|gitlab\.com|gitee\.com|openi\.pcl\.ac\.cn)/[^/]+/[^/]+", url):
            if list_repository(url):  # seed 004 links Dolly 2.0's code to the list itself
                repairs.append(f"code link {url} points at a model list, not the model")
            code.append(url)
        elif "paper" in cells and url in cells["paper"].urls:
            paper.setdefault("url", url)
        elif homepage is None and "name" in cells and url in cells["name"].urls:
            homepage = url
    if "paper" in cells and "title" not in paper and cells["paper"].urls and not cells["paper"].empty:
        link_text = cells["paper"].text
        if link_text.casefold() not in ("link", "linl", "paper", "pdf", "arxiv", "blog"):
            paper["title"] = link_text
    if paper.get("title") or paper.get("arxiv") or paper.get("url"):
        if fields.get("released"):
            paper.setdefault("year", int(str(fields["released"])[:4]))
        fields["papers"] = [paper]
    fields["code"], fields["homepage"] = code, homepage
    if weights:
        fields["weights"] = {"huggingface": weights}
