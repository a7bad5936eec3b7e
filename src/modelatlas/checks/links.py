"""Links that cannot be right: a code link into a model list's own repository, one repository on
unrelated models, and URLs broken by copying; and which records are related (``Kin``).

An input row is judged together with the catalog (``ctx.known``): the catalog record it describes (found
as the importers find it, by ``Matcher``) lends it its family, organizations and base models, and catalog
titles and links are evidence against the row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from modelatlas.catalog.links import list_repository
from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Model
from modelatlas.checks.registry import Hit, Severity, catalog_check, model_check
from modelatlas.checks.subjects import Context, Subject
from modelatlas.sources.importers._text import arxiv_id
from modelatlas.sources.matching import Matcher, code_key

__all__ = ["Kin", "Link", "located", "links", "pool", "twin_finder"]

#: Hosts where ``/owner`` is an account (an organization's page) and ``/owner/name`` a repository.
_HUBS = ("github.com", "gitlab.com", "gitee.com", "openi.pcl.ac.cn", "huggingface.co", "modelscope.cn")
#: GitHub paths that are GitHub's own pages, not an account.
_GITHUB_PAGES = frozenset({"orgs", "topics", "features", "search", "marketplace", "sponsors", "collections"})
#: Hugging Face paths that are not a model repository.
_HF_PAGES = frozenset({"spaces", "datasets", "docs", "blog", "papers", "collections", "models", "tasks"})
#: A licence file (``…/blob/main/LICENSE``): many models rightly link the same one.
_LICENCE_FILE = re.compile(r"^(?:licen[cs]e|copying)(?:[-_.]\w+)*$", re.IGNORECASE)
_VERSION_END = re.compile(r"v?[\d.]+$")
#: A size written as a word of a name: ``34B``, ``6.7b``, ``1.1T``.
_SIZE_WORD = re.compile(r"^\d+(?:\.\d+)?[kmbt]$")
_TRAILING = re.compile(r"[.,;:!'\"*`>]$")
_DOUBLE_SCHEME = re.compile(r"^https?://(?:www\.)?https?(?::|/|$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Link:
    """One URL of a record: the field it is in (``papers.url``) and its path in the record."""

    field: str
    loc: tuple[str | int, ...]
    url: str


def links(model: Model, *, sources: bool = False) -> list[Link]:
    """The model's URLs: code, demo, homepage, paper URLs and weights URLs (and sources' if asked)."""
    found = [Link("code", ("code", i), url) for i, url in enumerate(model.code)]
    found += [Link(name, (name,), url) for name in ("demo", "homepage") if (url := getattr(model, name))]
    found += [Link("papers.url", ("papers", i, "url"), p.url) for i, p in enumerate(model.papers) if p.url]
    if model.weights:
        found += [Link("weights.urls", ("weights", "urls", i), u) for i, u in enumerate(model.weights.urls)]
    if sources:
        found += [
            Link("sources.url", ("sources", i, "url"), s.url) for i, s in enumerate(model.sources) if s.url
        ]
    return found


def _segments(url: str) -> tuple[str, list[str]]:
    """The host (without ``www.``) and the non-empty path segments of ``url``."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    return host, [s for s in parts.path.split("/") if s]


def _org_page(url: str) -> bool:
    """A site's front page or an account on a hub (``huggingface.co/meta-llama``): many models' home."""
    host, path = _segments(url)
    return not path or (host in _HUBS and len(path) == 1)


def _licence_file(url: str) -> bool:
    _, path = _segments(url)
    return bool(path) and bool(_LICENCE_FILE.match(path[-1]))


def _repo_names(url: str) -> list[str]:
    """The names a hub URL gives its repository: ``github.com/NVIDIA/Megatron-LM`` → [megatronlm]; a
    folder in a repository (``…/tree/master/ul2``) adds its own name. Empty for other URLs."""
    host, path = _segments(url)
    if host not in _HUBS or len(path) < 2:
        return []
    names = [path[1].removesuffix(".git")] + (path[-1:] if len(path) > 2 else [])
    return [key for key in map(name_key, names) if len(key) >= 3]


def _owns(model: Model, repo_names: list[str]) -> bool:
    """Whether the repository is named after the model (``google-research/vmoe`` is V-MoE's,
    ``tatsu-lab/stanford_alpaca`` Alpaca's); a name of three letters must be the whole repository name
    (``gpt`` does not own ``gpt-neox``)."""
    keys = [key for key in map(name_key, (model.id, *model.names)) if len(key) >= 3]
    return any(_named_after(repo, key) for key in keys for repo in repo_names)


def _named_after(repo: str, key: str) -> bool:
    shorter = min(repo, key, key=len)
    return repo == key or (len(shorter) >= 4 and (key in repo or repo in key))


def located(subject: Subject, loc: tuple[str | int, ...]) -> str:
    return f"{subject.path.name}:{subject.line_at(loc)}"


def pool(ctx: Context) -> list[Subject]:
    """The records checked and the catalog records they are judged against, each model once.

    When the store is checked its catalog models are among the subjects; the catalog adds the rest.
    """
    checked = {s.model.id for s in ctx.subjects if s.origin == "catalog"}
    seen = {id(s) for s in ctx.subjects}
    return [*ctx.subjects, *(k for k in ctx.known if id(k) not in seen and k.model.id not in checked)]


def twin_finder(ctx: Context) -> Callable[[Subject], Subject | None]:
    """A function giving the catalog record a record describes (itself, for a catalog record), if any.

    Input rows are matched to the catalog as the importers match them (``Matcher``): by id, name, alias,
    variant or, when the names also agree, by arXiv id, Hub repo or code URL.
    """
    matcher = Matcher()
    by_id: dict[str, Subject] = {}
    for known in ctx.known:
        matcher.add(known.model)
        by_id[known.model.id] = known

    def twin(subject: Subject) -> Subject | None:
        found = matcher.match(subject.model)
        return by_id.get(found.model_id) if found else None

    return twin


def _prefix(name: str) -> str:
    """The first word of a name without its version digits: ``ChatGLM2-6B`` → ``chatglm``.

    A word shorter than three letters takes the next one with it: ``V-MoE`` → ``vmoe``, ``SwinV2`` →
    ``swin``, ``mT5`` stays ``mt5``; a size is not taken (``Yi-34B`` → ``yi``, ``T5-11B`` → ``t5``).
    """
    words = [w for w in re.split(r"[\s\-_/·:(),;&+]+", name.casefold()) if w]
    if not words:
        return ""
    first = _VERSION_END.sub("", words[0])
    if len(first) < 3 and len(words) > 1 and not _SIZE_WORD.match(words[1]):
        first += _VERSION_END.sub("", words[1])
    return name_key(first if len(first) >= 3 else words[0])


class Kin:
    """Which records are related: the same model or family, one built on the other, common ancestry,
    one a dated version of the other, the same organization, or names that start with the same word
    (``Megatron-LM``, ``Megatron-Turing``).

    Each record gets a set of keys (its names, family, name prefix, organizations, and those of every
    model it was built from or is a version of, transitively); two records are related when their sets
    meet. A derivative
    holds its base's keys, so a base and its fine-tunes, and two fine-tunes of one base, are related.
    """

    def __init__(
        self, find: Callable[[str], Subject | None], twin: Callable[[Subject], Subject | None]
    ) -> None:
        self._find = find
        self._twin = twin
        self._keys: dict[int, frozenset[str]] = {}

    def related(self, one: Subject, other: Subject) -> bool:
        return one is other or not self.keys(one).isdisjoint(self.keys(other))

    def keys(self, subject: Subject) -> frozenset[str]:
        if id(subject) not in self._keys:
            keys: set[str] = set()
            todo, seen = [subject], set()
            twin = self._twin(subject)
            if twin is not None:
                todo.append(twin)
            while todo:
                record = todo.pop()
                if id(record) in seen:
                    continue
                seen.add(id(record))
                keys |= _own_keys(record.model)
                bases = [*_ancestors(record.model), *record.base_names]
                todo += [found for base in bases if (found := self._find(base))]
                keys |= {f"n:{name_key(base)}" for base in bases}
            self._keys[id(subject)] = frozenset(keys)
        return self._keys[id(subject)]


def _ancestors(model: Model) -> list[str]:
    """The models a record was built from, and the model it is a dated version of (``version_of``)."""
    return [edge.model for edge in model.base_models] + ([model.version_of] if model.version_of else [])


def _own_keys(model: Model) -> set[str]:
    keys = {f"n:{name_key(s)}" for s in (model.id, *model.names)}
    keys |= {f"n:{name_key(model.family)}"} if model.family else set()
    keys |= {f"o:{org}" for org in model.organizations}
    prefix = _prefix(model.name)
    return keys | ({f"p:{prefix}"} if prefix else set())


@model_check("links.list_repo", Severity.error)
def list_repository_link(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A code, homepage, demo, paper or weights URL inside a model list's repository (``awesome-*``,
    ``eugeneyan/open-llms``…): the list's own page, not the model's. Seed 004 links Dolly 2.0's code to
    github.com/zhengzangw/awesome-huge-models. A list may be a record's source, so sources are not checked.
    """
    for link in links(subject.model):
        repo = list_repository(link.url)
        if repo:
            yield Hit(
                link.field,
                f"{link.field} {link.url} is the model list {repo}, not {subject.model.name}'s own",
                evidence=f"{link.field}: {link.url}; {repo} is a list of models",
                loc=link.loc,
            )


#: Fields whose URL names one model's own resources; a paper may rightly describe several models.
_OWN_FIELDS = ("code", "demo", "homepage", "weights.urls")


@catalog_check("links.shared_url", Severity.warning)
def shared_url(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """The same code, demo, homepage or weights URL on unrelated models (seed 004 gives GPT the V-MoE
    repository, google-research/vmoe).

    URLs are compared without scheme, ``www.``, trailing slash, ``.git``, anchor or case. Related models
    may share one: the same family, one built on the other (transitively) or on a common base, a variant,
    the same organization, or names starting with the same word. Not compared: a site's front page or an
    account on GitHub or Hugging Face (an organization's homepage), a licence file, and a repository named
    after none of the models linking it (a framework or monorepo: Megatron-DeepSpeed, fairseq). The model
    a repository is named after is its owner and is not reported; neither is an input row whose catalog
    record gives it the URL.
    """
    records = pool(ctx)
    kin = Kin(ctx.find, twin_finder(ctx))
    owners: dict[str, list[tuple[Subject, Link]]] = defaultdict(list)
    for record in records:
        for link in links(record.model):
            if link.field in _OWN_FIELDS and not _org_page(link.url) and not _licence_file(link.url):
                owners[code_key(link.url)].append((record, link))
    checked = {id(s) for s in subjects}
    for holders in owners.values():
        repo = _repo_names(holders[0][1].url)
        if repo and not any(_owns(o.model, repo) for o, _ in holders):
            continue  # a repository named after none of them: a framework or a monorepo they share
        reported: set[int] = set()
        for subject, link in holders:
            if id(subject) not in checked or id(subject) in reported or (repo and _owns(subject.model, repo)):
                continue
            if subject.origin != "catalog" and any(
                o.origin == "catalog" and kin.related(subject, o) for o, _ in holders
            ):
                continue  # the catalog gives the URL to this model: the others are the strangers
            strangers = [(o, ol) for o, ol in holders if not kin.related(subject, o)]
            if strangers:
                reported.add(id(subject))
                yield _shared_hit(subject, link, strangers)


def _shared_hit(subject: Subject, link: Link, strangers: list[tuple[Subject, Link]]) -> Hit:
    names = list(dict.fromkeys(o.model.name for o, _ in strangers))
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    evidence = "; ".join(
        f"{o.model.id}: {ol.field} {ol.url} ({located(o, ol.loc)})" for o, ol in strangers[:3]
    )
    return Hit(
        link.field,
        f"{link.field} {link.url} is also the {strangers[0][1].field} of {shown}, "
        f"unrelated to {subject.model.name}",
        evidence=evidence,
        loc=link.loc,
        subject=subject,
    )


def _problems(link: Link, papers_arxiv: str | None) -> Iterator[tuple[Severity, str, str]]:
    """What is wrong with one URL: (severity, message, what else the evidence needs)."""
    url = link.url
    if "](" in url or url.count(")") > url.count("("):
        yield Severity.error, f"{url} carries markdown residue ('](' or an unbalanced ')')", ""
    if _DOUBLE_SCHEME.match(url):
        yield Severity.error, f"{url} has its scheme twice", ""
    if _TRAILING.search(url):
        yield Severity.warning, f"{url} ends in {url[-1]!r}, most likely the sentence's punctuation", ""
    host, path = _segments(url)
    if host.endswith("arxiv.org"):
        found = arxiv_id(url.replace("/html/", "/abs/"))
        if found is None:
            yield Severity.error, f"{url} is an arXiv URL without a paper id", ""
        elif papers_arxiv and found != papers_arxiv:
            message = f"{url} is arXiv:{found}, but the paper's arxiv is {papers_arxiv}"
            yield Severity.error, message, f"arxiv: {papers_arxiv}"
    if link.field in ("code", "weights.urls"):
        yield from _not_a_repo(host, path, url, link.field)


def _not_a_repo(host: str, path: list[str], url: str, field: str) -> Iterator[tuple[Severity, str, str]]:
    if host == "github.com" and (len(path) < 2 or path[0].casefold() in _GITHUB_PAGES):
        yield Severity.warning, f"{field} {url} is a GitHub account or page, not a repository", ""
    if field == "code" and _licence_file(url):
        yield Severity.warning, f"code {url} is a licence file, not the code (a licence column's link?)", ""
    if field == "weights.urls" and host == "huggingface.co" and (len(path) < 2 or path[0] in _HF_PAGES):
        yield Severity.warning, f"weights {url} is not a Hugging Face model repository", ""


@model_check("links.malformed", Severity.error)
def malformed(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A URL broken by copying: markdown residue (``](``, an unbalanced ``)``), a doubled scheme, an
    arXiv URL without an id or with another id than the paper's ``arxiv`` (errors); trailing punctuation,
    a code or weights URL that is a GitHub account rather than a repository, a code URL that is a licence
    file, weights on Hugging Face that are not a model repository (warnings). Sources' URLs are checked
    too; ``http://`` is not a fault.
    """
    for link in links(subject.model, sources=True):
        paper_id = subject.model.papers[int(link.loc[1])].arxiv if link.field == "papers.url" else None
        for severity, message, more in _problems(link, paper_id):
            evidence = f"{link.field}: {link.url}" + (f"; {more}" if more else "")
            yield Hit(link.field, message, evidence=evidence, loc=link.loc, severity=severity)
