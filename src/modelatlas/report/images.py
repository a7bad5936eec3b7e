"""Charts to PNG and SVG files through vl-convert, with a CJK font shipped in the package.

vl-convert draws text with the fonts it has registered; a machine without a Chinese font would show
boxes. ``fonts/`` holds a subset of Noto Sans CJK SC (SIL Open Font License; GB 2312 and every character
of the catalog), registered once per process, so Chinese labels render on any machine.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from modelatlas.errors import BadArgument
from modelatlas.files import write_atomic
from modelatlas.report.charts import to_spec

__all__ = ["FONT_DIR", "save_chart", "to_png", "to_svg"]

FONT_DIR = Path(__file__).parent / "fonts"
_SCALE = 2


@functools.cache
def _register_fonts() -> None:
    vlc.register_font_directory(str(FONT_DIR))


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    _register_fonts()
    return to_spec(chart)


def to_png(chart: alt.TopLevelMixin, *, scale: float = _SCALE) -> bytes:
    """``chart`` as PNG bytes, drawn at ``scale`` times its size (2: sharp on high-density screens)."""
    png: bytes = vlc.vegalite_to_png(_spec(chart), scale=scale)
    return png


def to_svg(chart: alt.TopLevelMixin) -> str:
    """``chart`` as SVG text (its text stays text, in the chart's font)."""
    svg: str = vlc.vegalite_to_svg(_spec(chart))
    return svg


def save_chart(chart: alt.TopLevelMixin, path: Path) -> Path:
    """Write ``chart`` to ``path`` (``.png``, ``.svg`` or ``.json`` for the Vega-Lite spec), atomically.

    Raises:
        BadArgument: another suffix.
        ModelAtlasError: the file cannot be written (its folder is missing, say).
    """
    suffix = path.suffix.lower()
    if suffix == ".png":
        data = to_png(chart)
    elif suffix == ".svg":
        data = to_svg(chart).encode()
    elif suffix == ".json":
        data = chart.to_json(indent=2).encode()
    else:
        raise BadArgument(
            f"{path}: cannot write a chart as {suffix or 'a file without suffix'}; use .png, .svg or .json"
        )
    write_atomic(path, data)
    return path
