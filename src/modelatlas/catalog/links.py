"""What a link points at: a model list's own repository is never a model's code; the paper a URL is."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["LIST_REPOSITORIES", "list_repository", "paper_key"]

#: Where a paper is, and what identifies it there (case folded, without scheme, ``www.``, query or anchor).
_PAPERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "arxiv",
        re.compile(
            r"^(?:export\.)?arxiv\.org/(?:abs|pdf|html)/([a-z-]+(?:\.[a-z]{2})?/\d{7}|\d{4}\.\d{4,5})"
        ),
    ),
    ("arxiv", re.compile(r"^huggingface\.co/papers/(\d{4}\.\d{4,5})")),
    ("acl", re.compile(r"^(?:aclanthology\.org|aclweb\.org/anthology)/([\w.-]+?)(?:\.pdf)?/?$")),
    (
        "neurips",
        re.compile(
            r"^(?:papers\.nips\.cc|proceedings\.neurips\.cc)/(?:paper_files/)?paper/(\d{4})/\w+/"
            r"([0-9a-f]{32})-(?:abstract|paper)"
        ),
    ),
    ("pmlr", re.compile(r"^proceedings\.mlr\.press/(v\d+/[\w-]+?)(?:\.html|\.pdf|/[\w-]+\.pdf)?/?$")),
    ("cvf", re.compile(r"^openaccess\.thecvf\.com/.*/([^/]+?)_paper\.(?:html|pdf)$")),
    ("s2", re.compile(r"^(?:api\.)?semanticscholar\.org/paper/(?:.*/)?([0-9a-f]{40})/?$")),
    ("ieee", re.compile(r"^ieeexplore\.ieee\.org/(?:abstract/)?document/(\d+)")),
    ("nature", re.compile(r"^nature\.com/articles/([\w.-]+?)(?:\.e?pdf)?/?$")),
    (
        "doi",
        re.compile(r"/(10\.\d{4,9}/[^?#\s]+?)(?:v\d+)?(?:\.abstract|\.full|\.full\.pdf|\.pdf)?/?$"),
    ),
)
_OPENREVIEW = re.compile(r"^openreview\.net/(?:forum|pdf|attachment)$")
_OPENREVIEW_ID = re.compile(r"(?:^|&)id=([\w-]+)")

_REPO = re.compile(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|gitee\.com)/([^/\s]+)/([^/\s#?]+)", re.I)

#: Curated model lists and surveys whose names do not say "awesome" (compared case-insensitively).
LIST_REPOSITORIES = frozenset(
    {
        "eugeneyan/open-llms",
        "rucaibox/llmsurvey",
        "mooler0410/llmspracticalguide",
        "epoch-research/ml-models",
        # named in HqWu-HITCS/Awesome-Chinese-LLM's list of lists
        "sunlemuria/open_source_chatgpt_list",
        "damo-nlp-sg/llm-zoo",
        "openbmb/bmlist",
        "ludwigstumpp/llm-leaderboard",
    }
)


def list_repository(url: str) -> str | None:
    """``owner/name`` when ``url`` is in a model list's repository (``awesome-*`` or a known list), else None.

    ``list_repository("https://github.com/zhengzangw/awesome-huge-models/tree/main")`` is
    ``"zhengzangw/awesome-huge-models"``: seed 004 links Dolly 2.0's code there.
    """
    found = _REPO.match(url.strip())
    if not found:
        return None
    owner, name = found.group(1), found.group(2).removesuffix(".git")
    repo = f"{owner}/{name}"
    if name.casefold().startswith("awesome") or repo.casefold() in LIST_REPOSITORIES:
        return repo
    return None


def paper_key(url: str) -> str | None:
    """The paper ``url`` is, one key for all its spellings; None for a URL that is no paper's.

    ``arxiv.org/abs/2409.11402v2`` and ``arxiv.org/pdf/2409.11402.pdf`` are ``arxiv:2409.11402`` (so is
    its Hugging Face paper page); an OpenReview forum or PDF page is ``openreview:<id>``; ACL Anthology
    (or aclweb) ``acl:<id>``; the NeurIPS proceedings' Abstract and Paper pages ``neurips:<year>/<hash>``
    (a hash repeats across years); PMLR ``pmlr:v139/rao21a``; CVF open access ``cvf:<name>``; Semantic
    Scholar ``s2:<id>``; IEEE Xplore ``ieee:<number>``; Nature ``nature:<article>``; a DOI in the path
    (ACM, Springer, bioRxiv without its version…) ``doi:<doi>``; any other PDF ``pdf:<host/path>``. A
    blog post, a model card or a repository is no paper: None.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    where = f"{host}{parts.path}".casefold()
    if _OPENREVIEW.match(where.rstrip("/")):
        found = _OPENREVIEW_ID.search(parts.query)
        return f"openreview:{found.group(1)}" if found else None
    for kind, pattern in _PAPERS:
        match = pattern.search(where)
        if match:
            return f"{kind}:{'/'.join(match.groups())}"
    return f"pdf:{where}" if where.endswith(".pdf") else None
