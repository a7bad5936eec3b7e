"""Name normalisation: the key under which `LLaMA-2`, `Llama 2` and `llama2` are the same name."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["name_key", "name_words", "task_slug"]

#: A decimal point between digits is kept: ``Cerebras-GPT-1.3B`` is not ``-13B``.
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_NOT_WORD = re.compile(r"[^0-9a-z.\u3400-\u9fff\uf900-\ufaff]+")
#: The ASCII characters ``_NOT_WORD`` drops, for ``str.translate``.
_ASCII_DROPPED = {c: None for c in range(128) if _NOT_WORD.fullmatch(chr(c))}
#: A closing abbreviation in brackets (``(ASR)``), and the gaps between a task's words.
_TASK_ABBREVIATION = re.compile(r"\s*\((?=[^()\s]*[A-Z][^()\s]*[A-Z])[^()\s]+\)\s*$")
_TASK_GAP = re.compile(r"[\W_]+")


#: A Greek letter is spelt out: ``PanGu-α`` is ``pangualpha``, ``PanGu-Σ`` ``pangusigma``.
_GREEK = re.compile(r"[\u0391-\u03c9]")


def _greek_name(letter: str) -> str:
    """``σ`` → ``sigma``, from the letter's Unicode name (``GREEK SMALL LETTER SIGMA``)."""
    return unicodedata.name(letter, "").rsplit(" ", 1)[-1].lower()


def _folded(text: str) -> str:
    """``text`` with case, width, accents and Greek letters folded, as ``name_key`` reads it."""
    if text.isascii():  # no width, accent or Greek letter to fold: the same key, three times faster
        return text.lower().replace("+", "plus")
    folded = unicodedata.normalize("NFKD", text).casefold()
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _GREEK.sub(lambda m: _greek_name(m.group(0)), folded).replace("+", "plus")


#: A word of a name: a run of letters, a number (``3.1`` one number), or one Chinese character.
_WORD = re.compile(r"[^\W\d_\u3400-\u9fff\uf900-\ufaff]+|[0-9]+(?:\.[0-9]+)*|[\u3400-\u9fff\uf900-\ufaff]")


def name_words(text: str) -> list[str]:
    """The words of a name, folded as ``name_key`` folds it: runs of letters, numbers (a decimal point
    between digits kept) and single Chinese characters, which have no spaces between them.

    ``name_words("P-LLama3") == ["p", "llama", "3"]``, ``name_words("Llama-3.1-8B") == ["llama", "3.1",
    "8", "b"]``, ``name_words("通义千问") == ["通", "义", "千", "问"]``. Joined, they are the name's key, but
    for letters of other scripts, which the key leaves out: ``ЯндексGPT`` is one word, ``яндексgpt``.
    """
    folded = _folded(text)
    return _WORD.findall(_STRAY_DOT.sub("", folded) if "." in folded else folded)


def name_key(text: str) -> str:
    """Fold case, width and accents and drop everything but letters, digits and CJK characters.

    ``name_key("LLaMA-2") == name_key("Llama 2") == "llama2"``; ``name_key("紫东·太初") == "紫东太初"``.
    Version digits are kept, so ``Stable Diffusion 1.0`` and ``2.0`` stay apart; Greek letters are
    spelt out (``PanGu-Σ`` is ``pangusigma``, not ``pangu``).

    The last ``KEYS_KEPT`` keys are kept: a merge keys the same names again and again (10,000 Epoch rows:
    136,371 keys asked for, 15,372 names; merged 7 % faster with them kept).
    """
    return _key(text)


#: How many names' keys ``name_key`` keeps, the most recently asked.
KEYS_KEPT = 4096


@lru_cache(maxsize=KEYS_KEPT)
def _key(text: str) -> str:
    """``name_key``'s work."""
    folded = _folded(text)
    if "." in folded:
        folded = _STRAY_DOT.sub("", folded)
    if folded.isascii():  # what _NOT_WORD keeps, as one table: twice as fast (a build keys every name)
        return folded.translate(_ASCII_DROPPED)
    return _NOT_WORD.sub("", folded)


def task_slug(task: str) -> str:
    """A task as the catalog spells it: lower case, words joined by hyphens, no brackets.

    ``Question answering`` → ``question-answering``, ``(Visual) Question answering`` →
    ``visual-question-answering``; a closing abbreviation in brackets is dropped with them (``Speech
    recognition (ASR)`` → ``speech-recognition``). The catalog's own slugs are left as they are. Every
    importer's tasks go through it (the merge applies it to each row), so one task has one spelling.
    """
    text = unicodedata.normalize("NFKC", task).strip()
    found = _TASK_ABBREVIATION.search(text)
    if found and found.start() > 0:
        text = text[: found.start()]
    return _TASK_GAP.sub("-", text.casefold()).strip("-")
