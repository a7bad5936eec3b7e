"""Write a ``Report`` to a directory: ``report.md``, a self-contained ``report.html``, charts and data.

The layout::

    DIR/report.md           markdown, linking charts/*.png
    DIR/report.html         one file: styles inline, charts embedded as PNG
    DIR/charts/NAME.png     each chart as PNG, SVG and its Vega-Lite spec (NAME.vl.json)
    DIR/data/growth.json    the growth fits; DIR/data/lineage.json and lineage.graphml: the lineage graph

Every file is written to a temporary name and renamed, so an interrupted run leaves no half-written file.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import jinja2
import networkx as nx
import orjson
from markupsafe import Markup, escape

from modelatlas.analysis.lineage import to_json
from modelatlas.errors import ModelAtlasError
from modelatlas.files import write_atomic
from modelatlas.report.images import to_png, to_svg
from modelatlas.report.trends import Report

__all__ = ["make_folders", "write_report"]

_FOOTER = {
    "en": "Made by modelatlas. Epoch AI data: CC BY 4.0, Epoch AI, 'Data on AI Models', epoch.ai.",
    "zh": "由 modelatlas 生成。Epoch AI 数据采用 CC BY 4.0 许可（Epoch AI，“Data on AI Models”，epoch.ai）。",
}
_GENERATED = {"en": "Generated {date}", "zh": "生成于 {date}"}


def write_report(report: Report, out: Path, *, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write ``report`` under ``out`` (created if missing); the paths written, report files first.

    Raises:
        ModelAtlasError: ``out`` cannot be made a directory or written to; files already there are
            either replaced whole or left as they were.
    """
    charts = make_folders(out)
    written: list[Path] = []
    images: dict[str, str] = {}
    for section in report.sections:
        for figure in section.figures:
            if progress:
                progress(figure.name)
            png = to_png(figure.chart)
            images[figure.name] = base64.b64encode(png).decode()
            written += [
                _write(charts / f"{figure.name}.png", png),
                _write(charts / f"{figure.name}.svg", to_svg(figure.chart).encode()),
                _write(charts / f"{figure.name}.vl.json", figure.chart.to_json(indent=2).encode()),
            ]
    written += _data(report, out / "data")
    context = {
        "report": report,
        "images": images,
        "generated": _GENERATED.get(report.lang, _GENERATED["en"]).format(date=report.generated.isoformat()),
        "footer": _FOOTER.get(report.lang, _FOOTER["en"]),
    }
    markdown = _environment(autoescape=False).get_template("trends.md.j2").render(context)
    html = _environment(autoescape=True).get_template("trends.html.j2").render(context)
    return [
        _write(out / "report.md", markdown.encode()),
        _write(out / "report.html", html.encode()),
        *written,
    ]


def make_folders(out: Path) -> Path:
    """Create ``out``, ``out/charts`` and ``out/data`` if missing (a caller may check early); ``charts``.

    Raises:
        ModelAtlasError: one of them cannot be a directory (a file of that name, no permission).
    """
    try:
        (out / "charts").mkdir(parents=True, exist_ok=True)
        (out / "data").mkdir(exist_ok=True)
    except OSError as exc:
        raise ModelAtlasError(f"cannot write the report into {out}: {exc.strerror or exc}") from exc
    return out / "charts"


def _data(report: Report, folder: Path) -> list[Path]:
    graphml = "\n".join(nx.generate_graphml(report.graph)).encode()
    fits = [fit.as_dict() for fit in report.fits]
    return [
        _write(folder / "growth.json", orjson.dumps(fits, option=orjson.OPT_INDENT_2)),
        _write(folder / "lineage.json", orjson.dumps(to_json(report.graph), option=orjson.OPT_INDENT_2)),
        _write(folder / "lineage.graphml", graphml),
    ]


def _environment(*, autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("modelatlas.report", "templates"),
        autoescape=autoescape,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = _markdown_cell
    env.filters["bold"] = _bold
    return env


def _markdown_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _bold(text: str) -> Markup:
    """``**x**`` (the only markup paragraphs use) as ``<strong>``, everything else escaped."""
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", str(escape(text))))


def _write(path: Path, data: bytes) -> Path:
    write_atomic(path, data)
    return path
