"""Write models as seed 000 ("大模型趋势追踪") lays them out: per domain, one fenced section per model.

::

    ## 一.自然语言处理领域

    1.ChatGLM-6B
    ```
    # (1)模型简介：
    …
    # (2)github:
    https://github.com/THUDM/ChatGLM-6B
    …
    # (5)备注信息：
    备注：截止2023-03-22，open-sourced as ChatGLM-6B; …
    # (6)相关介绍：
    (1) ChatGLM-6B README. https://github.com/THUDM/ChatGLM-6B Accessed 11/23/2026.
    ```

The subsections, in order: introduction (summary, team, parameters, training tokens), demo, GitHub,
paper, hardware, dated status notes (as seed 000's PaLM-E has them), references. Only those a model
has content for are written, numbered in order, as the seed does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from modelatlas.catalog.schema import HardwareNeed, Model, Organization, Source, StatusNote
from modelatlas.catalog.units import format_count
from modelatlas.catalog.vocab import LABELS
from modelatlas.report.paper_table import domain_sections, paper_url

__all__ = ["seed_sections"]

_NUMERALS = "一二三四五六七八九十"

#: Subsection headings, ``(zh, en)``, formatted with the subsection's number.
_HEADINGS: dict[str, tuple[str, str]] = {
    "intro": ("# ({n})模型简介：", "# ({n}) Introduction:"),
    "demo": ("# ({n})内测连接：", "# ({n}) Demo:"),
    "code": ("# ({n})github:", "# ({n}) GitHub:"),
    "paper": ("# ({n})paper", "# ({n}) Paper:"),
    "hardware": ("# ({n})硬件支持：", "# ({n}) Hardware:"),
    "notes": ("# ({n})备注信息：", "# ({n}) Notes:"),
    "sources": ("# ({n})相关介绍：", "# ({n}) References:"),
}
_DOMAIN_ZH = {"multimodal": "多模态模型"}
_DOMAIN_EN = {
    "nlp": "Natural language processing",
    "cv": "Computer vision",
    "multimodal": "Multimodal models",
}
_PURPOSE = {
    "inference": ("推理", "inference"),
    "training": ("训练", "training"),
    "fine-tune": ("微调", "fine-tuning"),
}


def _domain_title(domain: str, lang: str) -> str:
    en, zh = LABELS.get(domain, (domain, domain))
    if lang == "zh":
        return f"{_DOMAIN_ZH.get(domain, zh)}领域"
    return _DOMAIN_EN.get(domain, en)


def _domain_heading(index: int, domain: str, lang: str) -> str:
    if lang == "zh":
        numeral = _NUMERALS[index] if index < len(_NUMERALS) else str(index + 1)
        return f"{numeral}.{_domain_title(domain, lang)}"
    return f"{index + 1}. {_domain_title(domain, lang)}"


def _gb(value: float) -> str:
    return f"{value:g}"


def _hardware_line(need: HardwareNeed, lang: str) -> str | None:
    zh = lang == "zh"
    purpose = _PURPOSE[need.purpose][0 if zh else 1]
    prefix = f"{need.precision.upper()} {purpose}" if need.precision else purpose
    if need.gpu_memory_gb is not None:
        if zh:
            text = f"{prefix}最低 {_gb(need.gpu_memory_gb)} GB 显存"
            return text + (f"（{need.gpu}）" if need.gpu else "")
        text = f"{prefix}: at least {_gb(need.gpu_memory_gb)} GB of GPU memory"
        return text + (f" ({need.gpu})" if need.gpu else "")
    if need.gpu:
        return f"{prefix}：{need.gpu}" if zh else f"{prefix}: {need.gpu}"
    if need.note:
        return f"{prefix}：{need.note}" if zh else f"{prefix}: {need.note}"
    return None


def _note_line(note: StatusNote, lang: str) -> str:
    if lang == "zh":
        return f"备注：截止{note.date}，{note.note}"
    return f"Note: as of {note.date}, {note.note}"


def _reference(number: int, source: Source) -> str:
    where = source.url or source.citation or ""
    title = f"{source.title}. " if source.title else ""
    accessed = source.accessed
    return f"({number}) {title}{where} Accessed {accessed.month}/{accessed.day}/{accessed.year}."


def _intro(model: Model, orgs: Mapping[str, Organization], lang: str) -> list[str]:
    zh = lang == "zh"
    lines: list[str] = []
    if model.summary:
        text = (model.summary.zh or model.summary.en) if zh else (model.summary.en or model.summary.zh)
        if text:
            lines += text.splitlines()
    names = []
    for org_id in model.organizations:
        org = orgs.get(org_id)
        if org is None:
            names.append(org_id)
        else:
            names.append((org.name_zh or org.name) if zh else org.name)
    if names:
        lines.append(f"团队：{'、'.join(names)}" if zh else f"Team: {', '.join(names)}")
    params = model.parameters.total if model.parameters else None
    if params is not None:
        label = LABELS["parameters"][1 if zh else 0]
        lines.append(f"{label}{'：' if zh else ': '}{format_count(params, lang=lang)}")
    tokens = model.training.tokens if model.training else None
    if tokens is not None:
        label = LABELS["training.tokens"][1 if zh else 0]
        lines.append(f"{label}{'：' if zh else ': '}{format_count(tokens, lang=lang)}")
    return lines


def _unique(lines: list[str | None]) -> list[str]:
    return list(dict.fromkeys(line for line in lines if line))


def _block(model: Model, orgs: Mapping[str, Organization], lang: str) -> list[str]:
    """The fenced section of one model, without the fences."""
    parts: list[tuple[str, list[str]]] = [
        ("intro", _intro(model, orgs, lang)),
        ("demo", [model.demo] if model.demo else []),
        ("code", list(model.code)),
        ("paper", _unique([paper_url(p) for p in model.papers])),
        ("hardware", _unique([_hardware_line(h, lang) for h in model.hardware])),
        ("notes", [_note_line(n, lang) for n in model.status_notes]),
    ]
    references = [_reference(i, s) for i, s in enumerate(model.sources, start=1)]
    lines: list[str] = []
    number = 0
    for key, content in parts:
        if not content:
            continue
        number += 1
        if lines:
            lines.append("")
        lines.append(_HEADINGS[key][0 if lang == "zh" else 1].format(n=number))
        lines += content
    number += 1
    if lines:
        lines.append("")
    lines.append(_HEADINGS["sources"][0 if lang == "zh" else 1].format(n=number))
    lines += references
    # a fence inside the text would end the section early
    return [line.replace("```", "'''") for line in lines]


def _sort_key(model: Model) -> tuple[int, int, str, str]:
    if model.released is None:
        return (1, 0, model.name.casefold(), model.id)
    return (0, -model.released.date.toordinal(), model.name.casefold(), model.id)


def _preamble(sections: list[tuple[str, list[Model]]], total: int, lang: str) -> list[str]:
    if lang == "zh":
        count = _NUMERALS[len(sections) - 1] if 0 < len(sections) <= len(_NUMERALS) else str(len(sections))
        intro = f"这里整理了{total}个大模型，模型主要分为{count}个领域："
        heading, name = "## 文档介绍", "large-model-trend-tracking 大模型趋势追踪"
        items = [f"{_domain_heading(i, d, lang)}；" for i, (d, _) in enumerate(sections)]
    else:
        noun = "domain" if len(sections) == 1 else "domains"
        intro = f"This document lists {total} large models in {len(sections)} {noun}:"
        heading, name = "## About", "large-model-trend-tracking: tracking large AI models"
        items = [f"{_domain_heading(i, d, lang)};" for i, (d, _) in enumerate(sections)]
    return ["# large-model-trend-tracking", "", name, "", heading, "```", intro, "", *items, "```", ""]


def seed_sections(
    models: Sequence[Model],
    organizations: Mapping[str, Organization],
    *,
    lang: str = "en",
    domain: str | None = None,
) -> str:
    """``models`` as seed 000's markdown, in Chinese or English (``lang``), optionally one ``domain``.

    ``organizations`` gives the names of the teams (their Chinese names with ``lang="zh"``).
    Within a domain, models run newest release first, undated ones last.
    """
    sections = domain_sections(models, domain=domain)
    total = sum(len(members) for _, members in sections)
    lines = _preamble(sections, total, lang)
    for index, (section, members) in enumerate(sections):
        lines += [f"## {_domain_heading(index, section, lang)}", ""]
        for number, model in enumerate(sorted(members, key=_sort_key), start=1):
            lines += [f"{number}.{model.name}", "```", *_block(model, organizations, lang), "```", ""]
    return "\n".join(lines)
