"""Write models as the "Huge Model Paper" list of seed 004: one markdown table of papers per domain.

The shape is the one the paper-table importer reads, so an export imports back to the same models::

    # Huge Model Paper

    ## Papers

    ### Huge Models for NLP
    | Year | Model Name | Title | Venue | Paper | Code |
    |------|------------|-------|-------|-------|------|
    | 2023 | LLaMA | LLaMA: Open and … | arxiv | [link](https://arxiv.org/abs/2302.13971) | [link](…) |

A model appears once, under its first domain; rows run newest year first, then by name.
"""

from __future__ import annotations

from collections.abc import Sequence

from modelatlas.catalog.schema import Model, Paper
from modelatlas.catalog.vocab import DOMAINS, LABELS

__all__ = ["domain_sections", "paper_table", "paper_url", "year_of"]

#: The seed's three domains first, then the rest in vocabulary order.
_DOMAIN_ORDER: tuple[str, ...] = (
    "nlp",
    "cv",
    "multimodal",
    *(d for d in DOMAINS if d not in ("nlp", "cv", "multimodal")),
)

_HEADINGS_EN = {"nlp": "NLP", "cv": "CV", "multimodal": "Multimodal"}
_TEXT = {
    "en": ("# Huge Model Paper", "## Papers", ("Year", "Model Name", "Title", "Venue", "Paper", "Code")),
    "zh": ("# 大模型论文", "## 论文", ("年份", "模型", "论文标题", "发表", "论文", "代码")),
}


def domain_sections(models: Sequence[Model], *, domain: str | None = None) -> list[tuple[str, list[Model]]]:
    """``models`` grouped by domain, in the seed's domain order, empty domains left out.

    Each model goes under its first domain; with ``domain`` given, only models in that domain are kept,
    all under it.
    """
    groups: dict[str, list[Model]] = {}
    for model in models:
        if domain is not None:
            if domain in model.domains:
                groups.setdefault(domain, []).append(model)
        else:
            groups.setdefault(model.domains[0], []).append(model)
    return [(d, groups[d]) for d in _DOMAIN_ORDER if d in groups]


def year_of(model: Model) -> int | None:
    """The year a model came out: its release year, else the year of its first paper."""
    if model.released is not None:
        return model.released.date.year
    if model.papers and model.papers[0].year is not None:
        return model.papers[0].year
    return None


def paper_url(paper: Paper) -> str | None:
    """The link to a paper: its arXiv abstract page when it has an arXiv id, else its URL."""
    if paper.arxiv:
        return f"https://arxiv.org/abs/{paper.arxiv}"
    return paper.url


def _heading(domain: str, lang: str) -> str:
    en, zh = LABELS.get(domain, (domain, domain))
    if lang == "zh":
        return f"### {zh}大模型"
    return f"### Huge Models for {_HEADINGS_EN.get(domain, en)}"


def _cell(value: str | None) -> str:
    if not value:
        return "-"
    text = " ".join(value.split())
    return text.replace("|", "\\|") or "-"


def _link(url: str | None) -> str:
    return f"[link]({_cell(url)})" if url else "-"


def _row(model: Model) -> list[str]:
    year = year_of(model)
    paper = model.papers[0] if model.papers else None
    venue = None
    if paper is not None:
        venue = paper.venue or ("arxiv" if paper.arxiv else None)
    code = model.code[0] if model.code else None
    if code is None and model.weights and model.weights.huggingface:
        code = f"https://huggingface.co/{model.weights.huggingface[0]}"
    return [
        str(year) if year is not None else "-",
        _cell(model.name),
        _cell(paper.title if paper else None),
        _cell(venue),
        _link(paper_url(paper) if paper else None),
        _link(code),
    ]


def _sort_key(model: Model) -> tuple[int, str, str]:
    year = year_of(model)
    return (-year if year is not None else 1, model.name.casefold(), model.id)


def paper_table(models: Sequence[Model], *, lang: str = "en", domain: str | None = None) -> str:
    """The paper list of ``models`` as markdown in ``lang`` (en or zh), for one ``domain`` or all."""
    title, papers, headers = _TEXT["zh" if lang == "zh" else "en"]
    lines = [title, "", papers, ""]
    for section, members in domain_sections(models, domain=domain):
        lines.append(_heading(section, lang))
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "|".join("-" * (len(h) + 2) for h in headers) + "|")
        lines += ["| " + " | ".join(_row(m)) + " |" for m in sorted(members, key=_sort_key)]
        lines.append("")
    return "\n".join(lines)
