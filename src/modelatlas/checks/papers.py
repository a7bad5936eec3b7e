"""Papers that cannot be right: an arXiv id that belongs to another title, one title given two ids, and
a paper or a paper's title that belongs to an unrelated model.

Papers are judged against the catalog (``ctx.known``), synced arXiv metadata and the other rows of the
same input; the rows of another input are evidence too, but weaker (a finding they alone support is info).
A paper may present several models, so a paper shared by unrelated models is reported only with evidence
that it is not theirs (``_against``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from modelatlas.catalog.links import paper_key
from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Model, Paper
from modelatlas.checks.links import Kin, located, pool, twin_finder
from modelatlas.checks.registry import Hit, Severity, catalog_check
from modelatlas.checks.subjects import Context, Subject
from modelatlas.sources.matching import code_key

__all__ = ["paper_id", "same_title"]

#: A title this short is a link's text ("Website", "Technical report"), not a paper's title.
_MIN_TITLE_WORDS = 3
#: Titles whose keys are this similar (0-100) differ by a typo, not by paper.
_TYPO_RATIO = 85
_WORDS = re.compile(r"[\s\-_/·:(),;&+]+")


def same_title(one: str, other: str) -> bool:
    """Whether two titles name the same paper: equal keys (case, punctuation aside), one inside the other
    (a sub-title, a truncated title), the same head before a colon, or a typo apart."""
    a, b = name_key(one), name_key(other)
    if not a or not b or a in b or b in a:
        return True
    if ":" in one and ":" in other and name_key(one.split(":")[0]) == name_key(other.split(":")[0]):
        return True
    return fuzz.ratio(a, b) >= _TYPO_RATIO


def _titled(title: str | None) -> bool:
    return title is not None and len(title.split()) >= _MIN_TITLE_WORDS


def paper_id(paper: Paper) -> str | None:
    """The paper's key: its arXiv id, else what its URL is as a paper (``paper_key``), else None."""
    if paper.arxiv:
        return f"arxiv:{paper.arxiv.casefold()}"
    return paper_key(paper.url) if paper.url else None


@dataclass(frozen=True, slots=True)
class _Held:
    """A paper a record gives: the record, the paper's index in ``papers`` and the paper."""

    subject: Subject
    index: int
    paper: Paper

    @property
    def catalog(self) -> bool:
        return self.subject.origin == "catalog"

    @property
    def arxiv(self) -> str | None:
        return self.paper.arxiv

    @property
    def title(self) -> str:
        return self.paper.title or ""

    @property
    def key(self) -> str | None:
        return paper_id(self.paper)

    @property
    def field(self) -> str:
        return "papers.arxiv" if self.paper.arxiv else "papers.url"

    @property
    def loc(self) -> tuple[str | int, ...]:
        return ("papers", self.index, self.field.split(".")[1])

    def where(self) -> str:
        """``galactica (galactica.yaml:25)``: the record and the line of the paper's title."""
        return f"{self.subject.model.id} ({located(self.subject, ('papers', self.index, 'title'))})"

    def ref(self) -> str:
        """``arXiv:2203.15556``, the paper's URL, or that it has neither."""
        return f"arXiv:{self.arxiv}" if self.arxiv else self.paper.url or "no arXiv id or URL"

    def shown(self) -> str:
        """The reference with the title when there is one."""
        return f"{self.ref()} ({self.title!r})" if self.title else self.ref()


def _papers(records: Sequence[Subject]) -> list[_Held]:
    return [_Held(record, i, paper) for record in records for i, paper in enumerate(record.model.papers)]


def _arxiv_titles(ctx: Context) -> dict[tuple[str, str], str]:
    """The titles synced arXiv metadata gives, by (model id, arXiv id), from the store's conflicts."""
    found = {}
    for row in ctx.conflicts:
        if row.get("origin") == "arxiv" and row.get("field") == "papers.title":
            ref = str(row.get("source_url", "")).rstrip("/").rsplit("/", 1)[-1]
            found[(str(row["model_id"]), ref)] = str(row["other"])
    return found


@catalog_check("links.arxiv_title", Severity.warning)
def arxiv_title(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """A paper whose arXiv id belongs to another title, one title given two arXiv ids, or the title of an
    unrelated model's paper on another paper.

    The title an arXiv id belongs to is taken from synced arXiv metadata (``--store``), else from the
    catalog; a title that only the rows of another input checked with it contradict is listed (info).
    Titles are compared by their keys (case and punctuation aside); a sub-title, a truncated title or a
    typo agrees. Titles of one or two words are a link's text ("Website"), not compared.

    A title is another paper's when, exactly (case, punctuation and spacing aside), the catalog or
    another row of the same input gives it another arXiv id, or gives it to a model unrelated to this one
    (as ``links.shared_url`` relates models) on another paper (another arXiv id or URL, or none here), and
    something says it is not this model's paper: the catalog gives this model another paper, or the title
    is named after the other model (``Griffin: …``; info, unless the catalog says so, as a paper presents
    models its title does not name). The same paper on two models is ``links.shared_paper``'s.
    """
    papers = [p for p in _papers(pool(ctx)) if _titled(p.title)]
    by_id: dict[str, list[_Held]] = defaultdict(list)
    by_title: dict[str, list[_Held]] = defaultdict(list)
    for paper in papers:
        by_title[name_key(paper.title)].append(paper)
        if paper.arxiv:
            by_id[paper.arxiv].append(paper)
    from_arxiv = _arxiv_titles(ctx)
    twin = twin_finder(ctx)
    kin = Kin(ctx.find, twin)
    checked = {id(s) for s in subjects}
    for paper in papers:
        if id(paper.subject) not in checked:
            continue
        namesakes = by_title[name_key(paper.title)]
        if paper.arxiv:
            arxiv = from_arxiv.get((paper.subject.model.id, paper.arxiv))
            yield from _other_title(paper, by_id[paper.arxiv], arxiv)
        found = list(_other_id(paper, namesakes))
        yield from found or _other_model(paper, namesakes, kin, twin(paper.subject))


def _title_hit(paper: _Held, message: str, evidence: str, *, sure: bool = True) -> Hit:
    loc = ("papers", paper.index, "arxiv")
    severity = None if sure else Severity.info
    return Hit("papers.arxiv", message, evidence=evidence, loc=loc, severity=severity, subject=paper.subject)


def _references(
    paper: _Held, candidates: list[_Held], *, same_input: bool = False
) -> tuple[list[_Held], bool]:
    """The papers to judge ``paper`` by, and whether they are the catalog's (a reference) or only the
    rows of another input (which may be the wrong ones: the finding is then info).

    A catalog record is judged by the catalog alone. Rows of one input are a reference for each other
    only when ``same_input`` says so: one title with two ids contradicts itself, while a list's link
    texts for one paper ("Introducing Phi-3") are no title of it.
    """
    others = [o for o in candidates if o.subject is not paper.subject]
    catalog = [o for o in others if o.catalog]
    if catalog or paper.catalog:
        return catalog, True
    mine = [o for o in others if o.subject.origin == paper.subject.origin]
    if same_input and mine:
        return mine, True
    return [o for o in others if o.subject.origin != paper.subject.origin], False


def _other_title(paper: _Held, same_id: list[_Held], arxiv_title: str | None) -> Iterator[Hit]:
    if arxiv_title is not None:
        if not same_title(paper.title, arxiv_title):
            yield _title_hit(
                paper,
                f"arXiv:{paper.arxiv} is {arxiv_title!r}, not {paper.title!r}",
                f"arXiv metadata https://arxiv.org/abs/{paper.arxiv}: title {arxiv_title!r}; "
                f"papers.title: {paper.title!r}",
            )
        return
    others, sure = _references(paper, same_id)
    if not others or any(same_title(paper.title, o.title) for o in others):
        return
    other = others[0]
    yield _title_hit(
        paper,
        f"arXiv:{paper.arxiv} is titled {other.title!r} on {other.subject.model.name}, not {paper.title!r}",
        f"{other.where()}: arXiv {paper.arxiv}, title {other.title!r}; here: {paper.title!r}",
        sure=sure,
    )


def _other_id(paper: _Held, same_key: list[_Held]) -> Iterator[Hit]:
    if not paper.arxiv:
        return
    with_ids = [o for o in same_key if o.arxiv and o.arxiv != paper.arxiv]
    others, sure = _references(paper, with_ids, same_input=True)
    if others:
        other = others[0]
        yield _title_hit(
            paper,
            f"{paper.title!r} is arXiv:{paper.arxiv} here, arXiv:{other.arxiv} on {other.subject.model.name}",
            f"{other.where()}: {other.title!r} arXiv {other.arxiv}; here: arXiv {paper.arxiv}",
            sure=sure,
        )


def _other_model(paper: _Held, same_key: list[_Held], kin: Kin, twin: Subject | None) -> Iterator[Hit]:
    """The title of an unrelated model's paper, on a paper that is not that one by its id or URL."""
    if not paper.catalog and any(o.catalog and kin.related(paper.subject, o.subject) for o in same_key):
        return  # the catalog gives the title to this model
    elsewhere = [
        o for o in same_key if not _same_link(paper, o) and not kin.related(paper.subject, o.subject)
    ]
    others, sure = _references(paper, elsewhere, same_input=True)
    found = _against(paper, others, _owners([paper, *others]), twin) if others else None
    if found is None:
        return
    reason, severity = found
    other = others[0]
    yield Hit(
        "papers.title",
        f"{paper.title!r} is the title of {other.subject.model.name}'s paper ({other.ref()}), "
        f"unrelated to {paper.subject.model.name}: {reason}",
        evidence=f"{other.where()}: {other.title!r}, {other.ref()}; here: {paper.ref()}",
        loc=("papers", paper.index, "title"),
        severity=severity if sure else Severity.info,
        subject=paper.subject,
    )


def _same_link(one: _Held, other: _Held) -> bool:
    """Whether two papers are one by their key or their URL."""
    if one.key is not None and one.key == other.key:
        return True
    return bool(one.paper.url and other.paper.url) and code_key(str(one.paper.url)) == code_key(
        str(other.paper.url)
    )


@catalog_check("links.shared_paper", Severity.warning)
def shared_paper(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """The same paper on unrelated models, when something says it is not theirs: seed 004 gives
    Cerebras-GPT the Chinchilla paper (arXiv 2203.15556), which the catalog gives Chinchilla.

    A paper is its arXiv id, else its URL as a paper: arXiv abs/pdf/html and versions, OpenReview, ACL
    Anthology, NeurIPS proceedings, PMLR, CVF, Semantic Scholar, IEEE Xplore, Nature, a DOI, another PDF;
    blog posts and model cards are no papers. Models related as for ``links.shared_url`` (the same
    family, one built on the other or on a common base, a dated version, a variant, the same organization,
    names starting with the same word: NVLM-D, NVLM-H and NVLM-X) may share one. So may unrelated names,
    since a paper may present several models (KN-LM and SB-LM); such a holder is reported only when the
    catalog gives the paper to the other model and its own model another paper, when it gives the paper
    another title than the other model does (seed 004 puts CogView's title on the DALL·E 2 PDF), or when
    the paper is named after the other model (``Chameleon: …``, ``…/dall-e-2.pdf``): info, unless the
    catalog says so, as a paper also presents models its title does not name (Griffin's presents Hawk).
    The model a paper is named after is its owner and is not reported; neither is an input row whose
    catalog record gives it the paper.
    """
    twin = twin_finder(ctx)
    kin = Kin(ctx.find, twin)
    checked = {id(s) for s in subjects}
    for holders in _by_key(pool(ctx)).values():
        owners = _owners(holders)
        for held in holders:
            subject = held.subject
            if id(subject) not in checked or held in owners:
                continue
            if not held.catalog and any(o.catalog and kin.related(subject, o.subject) for o in holders):
                continue  # the catalog gives the paper to this model: the others are the strangers
            strangers = [o for o in holders if not kin.related(subject, o.subject)]
            found = _against(held, strangers, owners, twin(subject)) if strangers else None
            if found is not None:
                yield _paper_hit(held, strangers, *found)


def _by_key(records: Sequence[Subject]) -> dict[str, list[_Held]]:
    """Every record's papers by key, each record once per key."""
    held: dict[str, list[_Held]] = defaultdict(list)
    for paper in _papers(records):
        key = paper.key
        if key and all(h.subject is not paper.subject for h in held[key]):
            held[key].append(paper)
    return held


def _against(
    held: _Held, strangers: list[_Held], owners: list[_Held], twin: Subject | None
) -> tuple[str, Severity | None] | None:
    """What says an unrelated model's paper is not this model's: (the reason, a severity if not the
    check's), or None for a paper that presents several models.

    The catalog is believed when it gives the paper to a stranger and this model another one (a name
    that only matches a catalog model, Epoch's 2024 "DDPM" beside "DDIM", is no evidence by itself).
    """
    curated = any(o.catalog for o in strangers)
    if curated and twin is not None and twin is not held.subject and twin.model.papers:
        if not any(_same_paper(held.paper, paper) for paper in twin.model.papers):
            mine = ", ".join(_Held(twin, i, p).shown() for i, p in enumerate(twin.model.papers[:2]))
            return f"the catalog gives {twin.model.name} {mine}", None
    if _titled(held.title):
        for other in strangers:
            if _titled(other.title) and not same_title(held.title, other.title):
                return f"{other.subject.model.name} gives it the title {other.title!r}", None
    named = [o for o in strangers if o in owners]
    if named:
        sure = any(o.catalog for o in named)
        return f"the paper is named after {named[0].subject.model.name}", None if sure else Severity.info
    return None


def _same_paper(mine: Paper, theirs: Paper) -> bool:
    """Whether two papers are one: the same key, or titles that agree."""
    key = paper_id(mine)
    if key is not None and paper_id(theirs) == key:
        return True
    return _titled(mine.title) and _titled(theirs.title) and same_title(str(mine.title), str(theirs.title))


def _owners(holders: list[_Held]) -> list[_Held]:
    """The holders a paper is named after: by its title's head (``NVLM: …``) or its file's name
    (``…/dall-e-2.pdf``), as any holder spells them."""
    labels = {label for held in holders for label in _labels(held.paper)}
    return [held for held in holders if labels & _name_runs(held.subject.model)]


def _labels(paper: Paper) -> set[str]:
    """The names a paper may be named after: its title's head before a colon, its file's name."""
    found = set()
    if paper.title and ":" in paper.title:
        found.add(name_key(paper.title.split(":")[0]))
    if paper.url:
        stem = paper.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        found.add(name_key(stem.removesuffix(".pdf").removesuffix(".html")))
    return {label for label in found if len(label) >= 2}


def _name_runs(model: Model) -> set[str]:
    """The keys of every run of words in the model's names: ``Flan T5-XXL + BLIP-2`` gives ``blip2``."""
    runs = set()
    for name in (model.id, *model.names):
        words = [w for w in _WORDS.split(name.casefold()) if w]
        runs |= {
            name_key("".join(words[i:j])) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
        }
    return runs


def _paper_hit(held: _Held, strangers: list[_Held], reason: str, severity: Severity | None) -> Hit:
    names = list(dict.fromkeys(o.subject.model.name for o in strangers))
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    evidence = "; ".join(
        f"{o.subject.model.id}: {o.shown()} ({located(o.subject, o.loc)})" for o in strangers[:3]
    )
    return Hit(
        held.field,
        f"{held.shown()} is also the paper of {shown}, unrelated to {held.subject.model.name}: {reason}",
        evidence=evidence,
        loc=held.loc,
        severity=severity,
        subject=held.subject,
    )
