"""Seed 000's per-model sections: a numbered heading, then a fenced block of numbered subsections.

```
## 一.自然语言处理领域
1.ChatGLM
    # (1)模型简介：…
    # (2)内测连接：…
    # (5)相关介绍：(1) Title. URL Accessed 3/22/2023.
```

Subsections are recognised by their title in Chinese or English (as ``modelatlas export seed-sections``
writes them). The introduction gives parameters (``62亿参数``), training tokens (``1T标识符``) and
techniques; hardware lines give the GPU memory; ``截止2023-03-22…`` lines become dated status notes;
each reference becomes a source with its access date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelatlas.catalog.schema import Model
from modelatlas.catalog.units import parse_count
from modelatlas.errors import BadArgument
from modelatlas.sources.importers._io import Progress, text_lines
from modelatlas.sources.importers._text import arxiv_id, repair, section_domain
from modelatlas.sources.rows import ImportedRow, OrgRef, RowError, build_model

__all__ = ["read"]

_HEADING = re.compile(r"^(?:-\s*)?(\d+)\s*[.、]\s*(\S.*)$")
_SUBSECTION = re.compile(r"^#\s*[(（]\s*\d+\s*[)）]\s*(.*?)\s*[:：]?\s*$")
_URL = re.compile(r"https?://[^\s，。；)）]+")
_REFERENCE = re.compile(
    r"^[(（]\d+[)）]\s*(?P<title>.*?)[.。]?\s*(?P<url>https?://\S+?)\.?(?:\s+Accessed\s+(?P<date>[\d/]+)\.?)?\s*$"
)
_PARAMS = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿|亿|[BMT]\b)\s*(?:个)?\s*(?:参数|parameters)", re.IGNORECASE)
_TOKENS = re.compile(r"(\d+(?:\.\d+)?)\s*([TB])\s*(?:个)?\s*(?:标识符|tokens?)", re.IGNORECASE)
_MEMORY = re.compile(r"(\d+(?:\.\d+)?)\s*G[B]?\s*(?:以上)?\s*显存|(\d+(?:\.\d+)?)\s*GB? (?:of )?GPU memory")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ORG = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:大学|公司|研究院|实验室|研究所))")
_ORG_HEADING = re.compile(r"(大学|学院|公司|实验室|研究院|研究所|团队|集团)$")
_TECHNIQUES = {
    "监督微调": "sft",
    "人类反馈强化学习": "rlhf",
    "反馈自助": "feedback-bootstrap",
    "量化": "quantization",
    "RLHF": "rlhf",
}
_KINDS = (
    ("references", ("相关", "reference", "参考")),
    ("intro", ("简介", "介绍", "introduction", "summary")),
    ("demo", ("内测", "demo", "演示", "试用")),
    ("code", ("github", "code", "代码")),
    ("paper", ("paper", "论文")),
    ("hardware", ("硬件", "hardware")),
    ("homepage", ("官网", "homepage", "website")),
    ("notes", ("备注", "note")),
)


@dataclass
class _Section:
    line: int
    heading: str
    domain: str
    parts: dict[str, list[str]] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportedRow]:
    """Yield one row per numbered model section of ``path``."""
    fallback = dt.date.fromtimestamp(path.stat().st_mtime) if path.exists() else dt.date.today()
    domain = "other"
    heading: tuple[int, str] | None = None
    section: _Section | None = None
    kind = "intro"
    for number, raw in text_lines(path, progress):
        text = raw.strip()
        if section is not None:
            if text.startswith("```"):
                yield _row(path, section, fallback)
                section = None
                continue
            found = _SUBSECTION.match(text)
            if found:
                kind = _kind(found.group(1))
            elif text:
                fixed = repair(text)
                if fixed != text:
                    section.repairs.append(f"line {number}: repaired mis-encoded text {text!r} → {fixed!r}")
                section.parts.setdefault(kind, []).append(fixed)
            continue
        if text.startswith("## "):
            domain = section_domain(text) or domain
            heading = None
        elif text.startswith("```") and heading is not None:
            section, kind = _Section(heading[0], repair(heading[1]), domain), "intro"
            if section.heading != heading[1]:
                section.repairs.append(f"repaired mis-encoded text {heading[1]!r} → {section.heading!r}")
            heading = None
        elif _HEADING.match(text):
            heading = (number, _HEADING.match(text).group(2).strip())  # type: ignore[union-attr]
        elif text:
            heading = None
    if section is not None:
        why = "section not closed (no closing ```); is the file cut short?"
        yield ImportedRow.skip(section.line, section.heading, why)


def _kind(title: str) -> str:
    lowered = title.casefold()
    for kind, words in _KINDS:
        if any(w in lowered for w in words):
            return kind
    return "notes"


def _row(path: Path, section: _Section, fallback: dt.date) -> ImportedRow:
    intro = " ".join(section.parts.get("intro", []))
    name, orgs = section.heading, [OrgRef(name=o) for o in _developer(intro)]
    if _ORG_HEADING.search(name):  # "4.复旦大学" heads the section on MOSS
        orgs = [OrgRef(name=name), *(o for o in orgs if o.name != name)]
        found = re.match(r"^([A-Za-z][A-Za-z0-9.\-]*)", intro)
        if not found:
            return ImportedRow.skip(section.line, name, "the heading names an organization, not a model")
        name = found.group(1)
    references = [r for r in (_reference(t) for t in section.parts.get("references", [])) if r]
    accessed = max((r["accessed"] for r in references if r.get("accessed")), default=fallback)
    repairs = list(section.repairs)
    fields: dict[str, Any] = {"name": name, "domains": [section.domain]}
    fields.update(_facts(intro, repairs))
    _links(fields, section.parts)
    kinds = ("demo", "code", "notes", "paper")
    notes = [t for k in kinds for t in section.parts.get(k, []) if not _URL.match(t)]
    fields["status_notes"] = [_status(t, "seed") for t in notes if _DATE.search(t)]
    hardware = " ".join(section.parts.get("hardware", []))
    if hardware:
        fields["hardware"] = [_hardware(hardware, intro)]
    if intro:
        fields["summary"] = {"zh" if re.search(r"[\u4e00-\u9fff]", intro) else "en": intro[:400]}
    try:
        model = build_model(
            fields,
            source_id="seed",
            accessed=accessed,
            citation=f"{path.name}, line {section.line}: {section.heading}",
        )
    except RowError as exc:
        return ImportedRow.skip(section.line, name, f"invalid: {exc}")
    model = _with_references(model, references, accessed)
    return ImportedRow(line=section.line, name=name, model=model, organizations=orgs, repairs=repairs)


def _developer(intro: str) -> list[str]:
    """The first university, company or institute named: ``由清华大学唐杰团队开发`` → 清华大学."""
    for found in _ORG.findall(intro):
        name = re.split(r"[和与及、是由的]", found)[-1].lstrip("被")
        if len(name) >= 4:
            return [name]
    return []


def _facts(intro: str, repairs: list[str]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    found = _PARAMS.search(intro)
    if found:
        try:
            facts["parameters"] = {"total": parse_count(found.group(1) + found.group(2))}
        except BadArgument:
            repairs.append(f"parameters {found.group(0)!r} not understood; left empty")
    found = _TOKENS.search(intro)
    if found:
        facts["training"] = {"tokens": parse_count(found.group(1) + found.group(2))}
    facts["techniques"] = list(dict.fromkeys(t for word, t in _TECHNIQUES.items() if word in intro))
    return facts


def _links(fields: dict[str, Any], parts: dict[str, list[str]]) -> None:
    def urls(kind: str) -> list[str]:
        return [u.rstrip(".,;") for t in parts.get(kind, []) for u in _URL.findall(t)]

    fields["code"] = urls("code")
    fields["demo"] = next(iter(urls("demo")), None)
    fields["homepage"] = next(iter(urls("homepage")), None)
    papers = []
    for url in urls("paper"):
        found = arxiv_id(url)
        papers.append({"arxiv": found} if found else {"url": url})
    fields["papers"] = papers


def _status(text: str, source: str) -> dict[str, Any]:
    found = _DATE.search(text)
    assert found is not None
    note = re.sub(r"^(备注|Note)\s*[:：]\s*", "", text)
    return {"date": found.group(0), "note": note, "source": source}


def _hardware(text: str, intro: str) -> dict[str, Any]:
    need: dict[str, Any] = {"purpose": "inference", "note": text[:300], "source": "seed"}
    found = _MEMORY.search(text) or _MEMORY.search(intro)
    if found:
        need["gpu_memory_gb"] = float(found.group(1) or found.group(2))
    if "INT4" in text.upper() or ("INT4" in intro.upper() and "最低" in text):
        need["precision"] = "int4"
    gpu = re.search(r"((?:RTX|GTX)\s*\d{4}(?:\s*Ti)?|\b\d{4}(?=及以上|以上))", text)
    if gpu:
        need["gpu"] = gpu.group(1) if gpu.group(1).startswith(("RTX", "GTX")) else f"RTX {gpu.group(1)}"
    return need


def _reference(text: str) -> dict[str, Any] | None:
    found = _REFERENCE.match(text)
    if not found:
        return None
    accessed = None
    if found["date"]:
        try:
            accessed = dt.datetime.strptime(found["date"], "%m/%d/%Y").date()
        except ValueError:
            accessed = None
    title = found["title"].strip(" .") or None
    return {"title": title, "url": found["url"].rstrip("."), "accessed": accessed}


def _with_references(model: Model, references: list[dict[str, Any]], accessed: dt.date) -> Model:
    sources = [model.sources[0].model_dump()]
    for n, ref in enumerate(references, start=1):
        sources.append({**ref, "id": f"ref-{n}", "accessed": ref.get("accessed") or accessed, "fields": []})
    data = model.model_dump(exclude_defaults=True)
    data["sources"] = sources
    return Model.model_validate(data)
