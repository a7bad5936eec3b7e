"""What a link points at: a model list's own repository is never a model's code."""

from __future__ import annotations

import re

__all__ = ["LIST_REPOSITORIES", "list_repository"]

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
