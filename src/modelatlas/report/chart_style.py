"""What every chart shares: one colour per domain, and log axes labelled the way counts are written.

A domain's colour is looked up by its id (``nlp``, ``cv`` …), never by its label, so NLP is the same blue
on the growth chart and the timeline, in English and in Chinese, whichever domains a chart happens to
show. The colours are Vega's ``tableau10`` scheme (and one grey of ``tableau20`` for "unknown").

A log axis is labelled at whole powers of ten only, each once, named as ``catalog.units.format_count``
writes a count: 10K, 1M, 1B, 1T in English; 1万, 100万, 10亿, 1万亿 in Chinese (the catalog's own units,
so the axis reads like the tables). Training compute keeps the field's notation, 1e24, in both languages:
named units stop at trillions and 10²⁴ FLOP has no everyday name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import altair as alt

from modelatlas.catalog.units import format_count

__all__ = ["DOMAIN_COLORS", "RELATION_COLORS", "domain_scale", "log_axis", "power_label"]

#: Each domain's colour (Vega's tableau10, plus tableau20's dark grey for a model without a domain).
DOMAIN_COLORS: dict[str, str] = {
    "nlp": "#4c78a8",
    "cv": "#f58518",
    "multimodal": "#b279a2",
    "speech": "#72b7b2",
    "games": "#e45756",
    "biology": "#54a24b",
    "robotics": "#9d755d",
    "science": "#eeca3b",
    "recommendation": "#ff9da6",
    "other": "#bab0ac",
    "unknown": "#79706e",
}
#: Each lineage relation's colour (the same scheme), so an edge reads the same in both languages.
RELATION_COLORS: dict[str, str] = {
    "fine-tune": "#4c78a8",
    "instruction-tune": "#72b7b2",
    "distill": "#f58518",
    "quantize": "#b279a2",
    "merge": "#e45756",
    "continued-pretrain": "#54a24b",
    "adapter": "#eeca3b",
    "component": "#9d755d",
    "port": "#bab0ac",
}
#: A domain the table does not know (a newer vocabulary than the chart's) is drawn in this.
_FALLBACK = "#000000"
#: At most this many labelled powers on one axis; a wider range labels every second (third …) power.
MAX_TICKS = 10


def domain_scale(labels: Mapping[str, str], colors: Mapping[str, str] = DOMAIN_COLORS) -> alt.Scale:
    """A colour scale for the domains ``labels`` maps (id → the label the chart shows), in the order of
    ``colors``: each label gets its domain's colour, whatever else is on the chart. Lineage passes
    ``RELATION_COLORS`` for its relations."""
    order = [d for d in colors if d in labels] + sorted(d for d in labels if d not in colors)
    return alt.Scale(domain=[labels[d] for d in order], range=[colors.get(d, _FALLBACK) for d in order])


def power_label(exponent: int, lang: str, unit: str = "") -> str:
    """10**``exponent`` as an axis names it: ``1B``/``10亿`` (``format_count``), or ``1e24`` for FLOP
    and beyond 10¹⁴ (where named units would read "1000T"); below 1, ``0.1`` … ``1e-4``."""
    if exponent < 0:
        return f"{10.0**exponent:g}" if exponent >= -3 else f"1e{exponent}"
    if unit == "FLOP" or exponent > 14:
        return f"1e{exponent}"
    return format_count(10**exponent, lang=lang)


def log_axis(values: Iterable[float], lang: str, *, unit: str = "") -> tuple[alt.Scale, alt.Axis]:
    """A log scale spanning ``values`` from one whole power of ten to another, and an axis that labels
    only those powers (``power_label``), each once: no "1e13, 1e13, 1e12" from the ticks between."""
    logs = [math.log10(v) for v in values if v is not None and math.isfinite(v) and v > 0]
    low, high = (math.floor(min(logs)), math.ceil(max(logs))) if logs else (0, 1)
    high = max(high, low + 1)
    step = math.ceil((high - low + 1) / MAX_TICKS)
    exponents = list(range(low, high + 1, step))
    names = ", ".join(f"'{e}': '{power_label(e, lang, unit)}'" for e in exponents)
    scale = alt.Scale(type="log", domain=[10.0**low, 10.0**high], nice=False)
    axis = alt.Axis(
        values=[10.0**e for e in exponents],
        labelExpr=f"{{{names}}}[format(round(log(datum.value) / LN10), 'd')] || ''",
        grid=True,
    )
    return scale, axis
