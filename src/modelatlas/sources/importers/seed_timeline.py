"""Dated timelines, as seeds 001 and 002 write them.

Seed 001 (slides, April 2023) lists releases as dated bullets under a domain heading::

    II: 大规模多模态模型 LMM
    - 2021 年 1 月 5 日, OpenAI 开源了 CLIP 模型。
    - 2023 年 3 月 28 日，斯坦福发布了指令跟随模型 Alpaca¹，公布了 52K 的指令跟随数据集…

Seed 002 (notes) gives a model a heading and a year line::

    # CNN相关模型
    ## AlexNet
    2012：第二个经典CNN网络模型，是CNN向大规模应用的起点，宣告神经网络的归来；

A row is a model with its maker (the words before the verb) and the date the seed gives, which it calls
the day the model was made public: ``announced``. A bullet that names no model (``Pytorch 2.0 包含了…``,
``ICLR 的工作…``) is skipped as not a model. The seeds' dates are claims of their own: the merge keeps
a catalog's date and records a differing one as a conflict.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modelatlas.sources.importers._io import Progress, text_lines
from modelatlas.sources.importers._text import section_domain
from modelatlas.sources.rows import ImportedRow, OrgRef, RowError, build_model

__all__ = ["read"]

#: ``- 2023 年 3 月 28 日，…``: a dated bullet (the day is optional).
_BULLET = re.compile(r"^-\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?\s*[,，]\s*(.+)$")
#: The verbs with which seed 001 makes a model public; the maker is before, the model after.
_VERB = re.compile(r"(首次公布|首次发布|公布了|发布了|开源了|研发了|推出了|公布)")
#: A model's name in the words after the verb: Latin letters, digits and joiners (``Vicuna-13B``).
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
_FOOTNOTE = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
#: ``FreedomGPT 发布，…``: a name, then the verb.
_LEADING = re.compile(r"^([A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*)\s*(?:发布|开源)(?!了)")
#: Seed 002's family headings: ``# CNN相关模型`` is vision, ``# RNN模型`` language.
_FAMILY_DOMAINS = (("cnn", "cv"), ("卷积", "cv"), ("rnn", "nlp"), ("生成式", "cv"))
_MAKER_SPLIT = re.compile(r"[、和与及]|联合")
#: ``2012：…`` under a model heading of seed 002.
_YEAR_LINE = re.compile(r"^(\d{4})\s*[:：]")
_DEFAULT_ACCESSED = {"001": dt.date(2023, 4, 24), "002": dt.date(2023, 7, 1)}


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportedRow]:
    """Yield one row per dated bullet (seed 001) or per model heading with a year line (seed 002)."""
    accessed = _DEFAULT_ACCESSED.get(path.name[:3], dt.date.fromtimestamp(path.stat().st_mtime))
    domain = "nlp"
    heading: tuple[int, str] | None = None
    for number, raw in text_lines(path, progress):
        text = raw.strip()
        found = section_domain(text) if text and not text.startswith("-") else None
        if text.startswith("# "):
            found = found or next((d for w, d in _FAMILY_DOMAINS if w in text.casefold()), None)
        if found:
            domain = found
        bullet = _BULLET.match(text)
        if bullet:
            year, month, day, rest = bullet.groups()
            when = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
            yield _bullet_row(path, number, when, rest, domain, accessed)
            continue
        if text.startswith("## "):
            heading = (number, text[3:].strip())
            continue
        year = _YEAR_LINE.match(text)
        if year and heading is not None:
            yield _heading_row(path, heading, year.group(1), text, domain, accessed)
            heading = None


def _bullet_row(path: Path, line: int, when: str, rest: str, domain: str, accessed: dt.date) -> ImportedRow:
    leading = _LEADING.match(_FOOTNOTE.sub("", rest))
    if leading:  # "FreedomGPT 发布⁵，该模型基于 Alpaca。": the name comes first
        fields: dict[str, Any] = {"name": leading.group(1), "domains": [domain], "announced": when}
        return _row(path, line, fields, [], rest, accessed)
    verb = _VERB.search(rest)
    if verb is None:
        return ImportedRow.skip(line, rest[:40], "no model is made public on this line", not_a_model=True)
    before, after = rest[: verb.start()], _FOOTNOTE.sub("", rest[verb.end() :])
    name = _NAME.search(after.split("。")[0].split("，")[0])
    if name is None:
        return ImportedRow.skip(line, rest[:40], "no model name after the verb", not_a_model=True)
    makers = [m.strip(" ,，的") for m in _MAKER_SPLIT.split(before)]
    makers = [m for m in makers if len(m) >= 2 and not m.endswith("并")]  # "…联合研究并公布了"
    fields = {"name": name.group(0), "domains": [domain], "announced": when}
    return _row(path, line, fields, [OrgRef(name=m) for m in makers], rest, accessed)


def _heading_row(
    path: Path, heading: tuple[int, str], year: str, text: str, domain: str, accessed: dt.date
) -> ImportedRow:
    line, name = heading
    fields: dict[str, Any] = {"name": name, "domains": [domain], "announced": year}
    return _row(path, line, fields, [], text, accessed)


def _row(
    path: Path, line: int, fields: dict[str, Any], orgs: list[OrgRef], text: str, accessed: dt.date
) -> ImportedRow:
    try:
        model = build_model(
            fields,
            source_id="seed",
            accessed=accessed,
            citation=f"{path.name}, line {line}: {text[:120]}",
        )
    except RowError as exc:
        return ImportedRow.skip(line, str(fields["name"]), f"invalid: {exc}")
    return ImportedRow(line=line, name=str(fields["name"]), model=model, organizations=orgs)
