"""Subset Noto Sans CJK SC Regular into the small CJK font bundled with modelatlas reports.

Charts are rendered by vl-convert (resvg), which sees only the fonts it is given. So that Chinese text
renders on a machine with no CJK fonts installed, the package ships a subset of Noto Sans CJK SC
Regular (SIL OFL 1.1) in ``src/modelatlas/report/fonts/``. This script regenerates that file.

Requirements: fontTools (``pip install fonttools``). It is deliberately NOT a modelatlas dependency:
install it into a throw-away virtual environment, e.g.::

    python3 -m venv /tmp/ftvenv && /tmp/ftvenv/bin/pip install fonttools
    cd /tmp && apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb /tmp/notocjk
    /tmp/ftvenv/bin/python scripts/subset_cjk_font.py \\
        /tmp/notocjk/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

The source may be the Debian ``NotoSansCJK-Regular.ttc`` collection (the face whose family is
"Noto Sans CJK SC" is picked from it) or a stand-alone ``NotoSansCJKsc-Regular.otf``.

The subset keeps: ASCII, Latin-1, General Punctuation (U+2000-206F), CJK Symbols and Punctuation
(U+3000-303F), Halfwidth and Fullwidth Forms (U+FF00-FFEF), every character of GB 2312, and every
non-ASCII character found in the files under ``catalog/`` and ``src/`` (the fonts directory itself
excluded), so that model and organisation names outside GB 2312 are covered too. Hinting, the
vertical-metrics tables and the ``locl`` feature (Japanese/Korean/Traditional glyph variants) are
dropped. The family is renamed to "Noto Sans SC Subset" so that it never clashes with a full Noto
Sans CJK font installed on the system; the OFL notice is kept in the name table.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

REPO_ROOT = Path(__file__).resolve().parent.parent
FONTS_DIR = REPO_ROOT / "src" / "modelatlas" / "report" / "fonts"
DEFAULT_OUTPUT = FONTS_DIR / "NotoSansSC-modelatlas-subset.otf"

SOURCE_FAMILY = "Noto Sans CJK SC"
FAMILY = "Noto Sans SC Subset"
STYLE = "Regular"
PS_NAME = "NotoSansSCSubset-Regular"

# Name IDs that carry the font's identity: family, unique id, full name, PostScript name,
# typographic family/subfamily, compatible full name, WWS family/subfamily, variations PS prefix.
IDENTITY_NAME_IDS = (1, 2, 3, 4, 6, 16, 17, 18, 21, 22, 25)

FIXED_RANGES = (
    (0x0020, 0x007E),  # ASCII printable
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2000, 0x206F),  # General Punctuation
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)

# OpenType features left out: ``locl`` would pull in the Japanese, Korean and Traditional Chinese
# variants of nearly every kept ideograph (doubling the file); charts never set text vertically.
DROPPED_FEATURES = {"locl", "vert", "vrt2", "vkrn", "vpal", "valt", "vhal"}

# Directories scanned for characters actually used by the project (relative to the repo root).
SCANNED_DIRS = ("catalog", "src")
SKIPPED_PARTS = {"__pycache__", "fonts"}


def gb2312_characters() -> set[str]:
    """Every character of GB 2312, found by decoding each two-byte EUC-CN code."""
    chars: set[str] = set()
    for high in range(0xA1, 0xFF):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def project_characters(root: Path) -> set[str]:
    """Every non-ASCII character appearing in the text files under catalog/ and src/."""
    chars: set[str] = set()
    for name in SCANNED_DIRS:
        for path in sorted((root / name).rglob("*")):
            if not path.is_file() or SKIPPED_PARTS.intersection(path.relative_to(root).parts):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            chars.update(c for c in text if ord(c) > 0x7F)
    return chars


def wanted_codepoints(root: Path) -> set[int]:
    """The full set of code points the subset should keep (before checking the source's cmap)."""
    points = {cp for start, end in FIXED_RANGES for cp in range(start, end + 1)}
    points.update(ord(c) for c in gb2312_characters())
    points.update(ord(c) for c in project_characters(root))
    return points


def load_source(path: Path) -> TTFont:
    """Open the source font; from a collection, take the face whose family is Noto Sans CJK SC."""
    if path.suffix.lower() in {".ttc", ".otc"}:
        collection = TTCollection(str(path))
        for face in collection.fonts:
            if face["name"].getDebugName(1) == SOURCE_FAMILY:
                return face
        families = ", ".join(str(face["name"].getDebugName(1)) for face in collection.fonts)
        raise SystemExit(f"no '{SOURCE_FAMILY}' face in {path} (it has: {families})")
    return TTFont(str(path))


def rename(font: TTFont, source_version: str) -> None:
    """Give the subset its own family name in the name table and the CFF table."""
    name = font["name"]
    name.names = [rec for rec in name.names if rec.nameID not in IDENTITY_NAME_IDS]
    unique = f"{source_version};modelatlas-subset;{PS_NAME}"
    for name_id, value in ((1, FAMILY), (2, STYLE), (3, unique), (4, f"{FAMILY} {STYLE}"), (6, PS_NAME)):
        name.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
        name.setName(value, name_id, 1, 0, 0)  # Macintosh, Roman, English
    if "CFF " in font:
        cff = font["CFF "].cff
        top = cff.topDictIndex[0]
        cff.fontNames = [PS_NAME]
        top.FamilyName = FAMILY
        top.FullName = f"{FAMILY} {STYLE}"


def build_subset(source: Path, output: Path, root: Path) -> tuple[int, int]:
    """Write the subset font; return (characters mapped, glyphs) of the result."""
    font = load_source(source)
    available = set(font.getBestCmap())
    wanted = wanted_codepoints(root)
    # The fixed ranges are taken as far as the source covers them; any other gap is worth a warning.
    required = {ord(c) for c in gb2312_characters() | project_characters(root)}
    missing = sorted(required - available)
    if missing:
        listed = " ".join(f"U+{cp:04X}" for cp in missing[:40])
        sys.stderr.write(f"warning: {len(missing)} required code points are not in the source: {listed}\n")
    source_version = font["name"].getDebugName(5) or "unknown"

    options = subset.Options()
    options.hinting = False
    options.desubroutinize = False
    options.layout_features = [tag for tag in options.layout_features if tag not in DROPPED_FEATURES]
    options.drop_tables += ["vhea", "vmtx", "VORG"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_bounds = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(wanted & available))
    subsetter.subset(font)

    rename(font, source_version.removeprefix("Version ").split(";")[0])
    font.recalcTimestamp = False  # keep the source's head.modified so reruns give identical bytes
    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(output))
    return len(font.getBestCmap()), font["maxp"].numGlyphs


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJK-Regular.ttc or NotoSansCJKsc-Regular.otf")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="subset font to write")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root to scan for text")
    return parser.parse_args(None if argv is None else list(argv))


def main(argv: Iterable[str] | None = None) -> int:
    args = parse_args(argv)
    chars, glyphs = build_subset(args.source, args.output, args.root)
    size = args.output.stat().st_size
    sys.stdout.write(
        f"wrote {args.output} ({size} bytes, {size / 1024 / 1024:.2f} MiB): "
        f"family '{FAMILY}', {chars} characters, {glyphs} glyphs\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
