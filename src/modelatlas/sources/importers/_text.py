"""Cleaning the text of hand-kept markdown: mojibake, HTML, links, loose dates and sizes."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

import ftfy

from modelatlas.catalog.units import parse_count
from modelatlas.errors import BadArgument

__all__ = ["Cell", "arxiv_id", "loose_date", "parse_cell", "repair", "section_domain", "size"]

_LINK = re.compile(r"!?\[([^\]]*)\]\((\s*[^)\s]*)[^)]*\)")
_BARE_URL = re.compile(r"https?://[^\s)<>|\]]+")
_TAG = re.compile(r"<[^>]+>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
#: A run of characters that UTF-8 read as Mac Roman produces (Latin-1 supplement, Greek, math, dingbats).
_MAC_RUN = re.compile(r"[\u00a0-\u02ff\u0370-\u03ff\u2000-\u22ff\u25ca\uf8ff\ufb01\ufb02]{2,}")
_ARXIV = re.compile(r"(?i:arxiv\.org/(?:abs|pdf))/(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})")
_MONTHS = {m: i for i, m in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec").split(), start=1)}


#: Only undo mis-decoding: full-width punctuation, curly quotes and ligatures are what people wrote.
_FTFY = ftfy.TextFixerConfig(
    fix_character_width=False, uncurl_quotes=False, fix_latin_ligatures=False, normalization="NFC"
)


def repair(text: str) -> str:
    """``text`` with mojibake undone: UTF-8 read as Mac Roman (``Á¥´‰∏úÂ§™Âàù`` → 紫东太初) or Latin-1.

    Mac Roman runs are re-decoded where the bytes form valid UTF-8; ftfy handles the rest.
    """

    def undo(found: re.Match[str]) -> str:
        run = found.group(0)
        try:
            decoded = run.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return run
        return decoded if all(_plausible(ch) for ch in decoded) else run

    return ftfy.fix_text(_MAC_RUN.sub(undo, text), config=_FTFY)


def _plausible(ch: str) -> bool:
    """Whether a re-decoded character is one people write: not a combining mark, control or Latin-1 letter."""
    return not ("\u0080" <= ch <= "\u024f" or unicodedata.category(ch)[0] in "MC")


@dataclass(frozen=True, slots=True)
class Cell:
    """A markdown table cell: its plain text (links as their text, HTML dropped) and the URLs in it."""

    text: str
    urls: tuple[str, ...]
    raw: str

    @property
    def empty(self) -> bool:
        return self.text in ("", "-", "—", "–", "N/A", "n/a", "/", "?") and not self.urls


def parse_cell(raw: str) -> Cell:
    urls = [u.strip() for _, u in _LINK.findall(raw) if u.strip().startswith("http")]
    text = _LINK.sub(lambda m: m.group(1), raw)
    urls += [u for u in _BARE_URL.findall(text) if u not in urls]
    text = _TAG.sub(" ", _BR.sub(" ", text))
    text = html.unescape(text).replace("\\|", "|")
    text = re.sub(r"\s+", " ", text).strip().strip("*_`").strip()
    return Cell(text, tuple(u.rstrip(".,;") for u in urls), raw)


def arxiv_id(url: str) -> str | None:
    found = _ARXIV.search(url)
    if not found:
        return None
    return re.sub(r"v\d+$", "", found.group(1).removesuffix(".pdf"))


def loose_date(text: str) -> str | None:
    """``2023``, ``2019/10``, ``2017-06``, ``Jun. 2023``, ``2023年3月`` → ``2023``/``2019-10``…; else None."""
    text = text.strip()
    found = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?", text)
    if found:
        year, month, day = found.group(1), int(found.group(2)), found.group(3)
        if not 1 <= month <= 12:
            return None
        if day and 1 <= int(day) <= 31:
            return f"{year}-{month:02d}-{int(day):02d}"
        return f"{year}-{month:02d}"
    found = re.match(r"^([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$", text)
    if found and found.group(1).lower() in _MONTHS:
        return f"{found.group(2)}-{_MONTHS[found.group(1).lower()]:02d}"
    if re.match(r"^(19|20)\d{2}$", text):
        return text
    return None


def size(text: str, unit: int = 1, *, binary_k: bool = False) -> int | None:
    """One count from a cell (``7B``, ``1.1`` with ``unit`` 1e9, ``62亿``, ``2K`` context); None if not one.

    Raises:
        BadArgument: the cell holds something else (a range, a list, words); the caller reports it.
    """
    text = text.strip()
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):  # 1,024 is a thousands separator; "180, 40, 7" a list
        text = text.replace(",", "")
    if re.search(r"[,，/、~～]|\d\s*[-–]\s*\d", text):
        raise BadArgument(f"{text!r} is a list or a range, not one count")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return round(float(text) * unit)
    if binary_k and re.fullmatch(r"\d+(\.\d+)?\s*[kK]", text):
        return round(float(text[:-1]) * 1024)
    return parse_count(text)


def section_domain(heading: str) -> str | None:
    """The domain a section heading names, if any: ``Huge Models for CV`` → cv, ``多模态`` → multimodal."""
    lowered = heading.casefold()
    for domain, words in _HEADING_WORDS:
        if any(w in lowered for w in words):
            return domain
    return None


_HEADING_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("multimodal", ("multimodal", "multi-modal", "多模态", "vision-language", "视觉语言")),
    ("cv", (" cv", "cv ", "for cv", "vision", "image", "视觉", "图像")),
    ("speech", ("speech", "audio", "语音", "音频")),
    ("science", ("science", "科学")),
    ("games", ("reinforcement learning", "games", "强化学习")),
    ("nlp", ("nlp", "language", "llm", "语言", "文本", "gpt", "大模型")),
)
