"""Papers that cannot be right: an arXiv id that belongs to another title, one title given two ids.

Titles are judged against the catalog (``ctx.known``) and synced arXiv metadata; the rows of another
input are evidence too, but weaker (a finding they alone support is info).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from modelatlas.catalog.names import name_key
from modelatlas.checks.links import located, pool
from modelatlas.checks.registry import Hit, Severity, catalog_check
from modelatlas.checks.subjects import Context, Subject

__all__ = ["same_title"]

#: A title this short is a link's text ("Website", "Technical report"), not a paper's title.
_MIN_TITLE_WORDS = 3
#: Titles whose keys are this similar (0-100) differ by a typo, not by paper.
_TYPO_RATIO = 85


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


@dataclass(frozen=True, slots=True)
class _Titled:
    """A paper with an arXiv id and a title, in a record."""

    subject: Subject
    index: int
    arxiv: str
    title: str

    @property
    def catalog(self) -> bool:
        return self.subject.origin == "catalog"

    def where(self) -> str:
        return f"{self.subject.model.id} ({located(self.subject, ('papers', self.index, 'title'))})"


def _titled_papers(records: Sequence[Subject]) -> list[_Titled]:
    return [
        _Titled(record, i, paper.arxiv, paper.title)
        for record in records
        for i, paper in enumerate(record.model.papers)
        if paper.arxiv and paper.title and _titled(paper.title)
    ]


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
    """A paper whose arXiv id belongs to another title, or one title given two arXiv ids.

    The title an arXiv id belongs to is taken from synced arXiv metadata (``--store``), else from the
    catalog; a title that only the rows of another input checked with it contradict is listed (info).
    Titles are compared by their keys (case and punctuation aside); a sub-title, a truncated title or a
    typo agrees. Titles of one or two words are a link's text ("Website"), not compared.
    """
    papers = _titled_papers(pool(ctx))
    by_id: dict[str, list[_Titled]] = defaultdict(list)
    by_title: dict[str, list[_Titled]] = defaultdict(list)
    for paper in papers:
        by_id[paper.arxiv].append(paper)
        by_title[name_key(paper.title)].append(paper)
    from_arxiv = _arxiv_titles(ctx)
    checked = {id(s) for s in subjects}
    for paper in papers:
        if id(paper.subject) not in checked:
            continue
        yield from _other_title(
            paper, by_id[paper.arxiv], from_arxiv.get((paper.subject.model.id, paper.arxiv))
        )
        yield from _other_id(paper, by_title[name_key(paper.title)])


def _title_hit(paper: _Titled, message: str, evidence: str, *, sure: bool = True) -> Hit:
    loc = ("papers", paper.index, "arxiv")
    severity = None if sure else Severity.info
    return Hit("papers.arxiv", message, evidence=evidence, loc=loc, severity=severity, subject=paper.subject)


def _references(paper: _Titled, candidates: list[_Titled]) -> tuple[list[_Titled], bool]:
    """The papers to judge ``paper`` by, and whether they are the catalog's (a reference) or only the
    rows of another input (which may be the wrong ones: the finding is then info).

    A catalog record is judged by the catalog alone; rows of one input (a list's link texts for one
    paper, "Introducing Phi-3") are no reference for each other.
    """
    others = [o for o in candidates if o.subject is not paper.subject]
    catalog = [o for o in others if o.catalog]
    if catalog or paper.catalog:
        return catalog, True
    return [o for o in others if o.subject.origin != paper.subject.origin], False


def _other_title(paper: _Titled, same_id: list[_Titled], arxiv_title: str | None) -> Iterator[Hit]:
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


def _other_id(paper: _Titled, same_key: list[_Titled]) -> Iterator[Hit]:
    others, sure = _references(paper, [o for o in same_key if o.arxiv != paper.arxiv])
    if others:
        other = others[0]
        yield _title_hit(
            paper,
            f"{paper.title!r} is arXiv:{paper.arxiv} here, arXiv:{other.arxiv} on {other.subject.model.name}",
            f"{other.where()}: {other.title!r} arXiv {other.arxiv}; here: arXiv {paper.arxiv}",
            sure=sure,
        )
