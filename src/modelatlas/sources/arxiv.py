"""arXiv through the ``arxiv`` package: paper metadata by id, and new papers by query.

The package paces requests itself (``delay_seconds``, 3 s by default, as arXiv's terms ask); its
``requests`` session is given retries for 429 (honouring Retry-After), 5xx and timeouts, a timeout and
the request budget (``sources._http.retrying_session``). ``base_url`` points it elsewhere (tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import arxiv
import requests

from modelatlas.errors import SourceDataError, SourceError, SourceHTTPError, SourceLimit
from modelatlas.sources._http import Policy, Tally, retrying_session

__all__ = ["ARXIV_API", "ArxivPaper", "ArxivSource", "introduced_model", "paper"]

#: The public API; ``MODELATLAS_ARXIV_URL`` overrides it.
ARXIV_API = "https://export.arxiv.org/api/query"
#: arXiv answers at most this many ids in one request without paging.
_BATCH = 100
_ID = re.compile(r"arxiv\.org/abs/(.+?)(?:v(\d+))?$")


@dataclass(frozen=True, slots=True)
class ArxivPaper:
    """One arXiv paper: its bare id (no version), latest version and metadata."""

    arxiv_id: str
    version: int | None
    title: str
    authors: tuple[str, ...]
    published: str
    updated: str
    primary_category: str
    categories: tuple[str, ...]
    summary: str
    doi: str | None = None
    journal_ref: str | None = None

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    def facts(self) -> dict[str, object]:
        facts: dict[str, object] = {
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published,
            "updated": self.updated,
            "version": self.version,
            "primary_category": self.primary_category,
            "doi": self.doi,
            "journal_ref": self.journal_ref,
        }
        return {name: value for name, value in facts.items() if value not in (None, "", [])}


def paper(result: arxiv.Result) -> ArxivPaper:
    """Parse the package's ``Result``.

    Raises:
        SourceDataError: the entry is incomplete (a truncated feed leaves entries without links or authors).
    """
    match = _ID.search(result.entry_id)
    if not match:
        raise SourceDataError(result.entry_id, "not an arXiv abstract URL")
    if not result.links or not result.authors or not result.title:
        raise SourceDataError(result.entry_id, "the entry is incomplete (a truncated answer?)")
    return ArxivPaper(
        arxiv_id=match.group(1),
        version=int(match.group(2)) if match.group(2) else None,
        title=" ".join(result.title.split()),
        authors=tuple(author.name for author in result.authors),
        published=result.published.date().isoformat(),
        updated=result.updated.date().isoformat(),
        primary_category=result.primary_category,
        categories=tuple(result.categories),
        summary=" ".join(result.summary.split()),
        doi=result.doi,
        journal_ref=result.journal_ref,
    )


_INTRO = re.compile(
    r"\b(?:we|this (?:paper|report|work)) (?:introduce|present|release|propose|open-source)s?\b"
    r"(?:[^.]|\.(?=\d)){0,80}?"
    r"\b(?:model|LLM|language model|foundation model|series|family)\b",
    re.IGNORECASE,
)
_NAMED = re.compile(r"^([A-Z][\w.+-]*(?:[ -][\w.+-]+){0,3}?)(?::| Technical Report\b| of Experts\b)")


def introduced_model(found: ArxivPaper) -> str | None:
    """The name of the model a paper introduces, or None when it does not seem to introduce one.

    A paper counts when its title names something (``Mistral 7B``, ``Qwen2 Technical Report``,
    ``LLaMA: Open and Efficient…``) and its abstract says it introduces, presents or releases a model.
    Surveys and benchmarks are not candidates.
    """
    title = found.title
    if re.search(r"\b(survey|benchmark|review|position paper)\b", title, re.IGNORECASE):
        return None
    if not _INTRO.search(found.summary) and not re.search(r"Technical Report", title):
        return None
    named = _NAMED.match(title)
    if named:
        return named.group(1).strip()
    words = title.split()
    if len(words) <= 3 and words and words[0][:1].isupper():
        return title
    return None


class _Client(arxiv.Client):  # type: ignore[misc]
    """The package's client, pointed at ``base_url`` and given a retrying session."""

    def __init__(self, base_url: str, policy: Policy, tally: Tally) -> None:
        super().__init__(page_size=_BATCH, delay_seconds=policy.interval, num_retries=1)
        self.query_url_format = base_url.rstrip("?") + "?{}"
        self._session = retrying_session(policy, tally)


class ArxivSource:
    """arXiv's API, asked politely through the ``arxiv`` package."""

    def __init__(self, *, policy: Policy, tally: Tally | None = None, base_url: str = ARXIV_API) -> None:
        self.tally = tally or Tally()
        self.client = _Client(base_url, policy, self.tally)
        self.base_url = base_url

    def close(self) -> None:
        self.client._session.close()

    def papers(self, ids: Iterable[str]) -> Iterator[dict[str, ArxivPaper]]:
        """The papers with these ids (bare, no version), one batch of up to 100 per request.

        An id arXiv does not know is absent from its batch.

        Raises:
            SourceError: arXiv failed after every retry, or answered with a broken feed.
        """
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            search = arxiv.Search(id_list=batch, max_results=len(batch))
            found = {p.arxiv_id: p for p in self._fetch(search)}
            yield {arxiv_id: found[arxiv_id] for arxiv_id in batch if arxiv_id in found}

    def search(self, query: str, limit: int) -> list[ArxivPaper]:
        """The newest ``limit`` papers answering ``query`` (arXiv query syntax, e.g. ``cat:cs.CL AND …``)."""
        search = arxiv.Search(
            query=query,
            max_results=limit,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        return list(self._fetch(search))

    def _fetch(self, search: arxiv.Search) -> Iterator[ArxivPaper]:
        try:
            for result in self.client.results(search):
                yield paper(result)
        except SourceError:
            raise
        except arxiv.HTTPError as exc:
            raise SourceHTTPError(exc.url, exc.status, None, "arXiv refused the query") from exc
        except arxiv.UnexpectedEmptyPageError as exc:
            raise SourceDataError(exc.url, "arXiv returned an empty page in the middle of a result") from exc
        except requests.exceptions.RetryError as exc:
            raise SourceLimit(f"arXiv kept refusing after every retry: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            raise SourceError(f"arXiv could not be reached: {exc.__class__.__name__}: {exc}") from exc
