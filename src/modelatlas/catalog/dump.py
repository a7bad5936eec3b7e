"""Write a ``Model`` as a catalog YAML file, in the layout of the hand-written ones.

Top-level fields one per line in schema order; short records and lists in flow style
(``parameters: {total: 7B}``, ``domains: [nlp]``); lists of records one item per line; sources as block
mappings. Counts are written as ``6.2B`` where that is exact, so a written file reads like a hand-kept one
and loads back to the same record.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from modelatlas.catalog.schema import Model, Organization
from modelatlas.catalog.units import format_count, parse_count

__all__ = ["dump_model", "dump_organization"]

_WIDTH = 110
_COUNT_FIELDS = {"total", "active", "tokens", "parameters", "context_length"}
_BLOCK_LISTS = {"papers", "variants", "hardware", "status_notes", "evaluations", "disputes", "base_models"}


def dump_model(model: Model) -> str:
    """The YAML text of ``model``; ``load_catalog`` reads it back to an equal record."""
    data = model.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    lines: list[str] = []
    for key, value in data.items():
        if key == "sources":
            lines.append("sources:")
            for source in value:
                lines.extend(_block_item(source))
        elif key == "summary":
            lines.append("summary:")
            lines.extend(f"  {k}: {_scalar(v)}" for k, v in value.items())
        elif key in _BLOCK_LISTS:
            lines.append(f"{key}:")
            lines.extend(f"  - {_flow(_counts(item))}" for item in value)
        else:
            rendered = _flow(_counts({key: value})[key])
            if len(key) + len(rendered) + 2 > _WIDTH and isinstance(value, dict):
                lines.append(f"{key}:")
                lines.extend(f"  {k}: {_flow(_counts({k: v})[k])}" for k, v in value.items())
            else:
                lines.append(f"{key}: {rendered}")
    return "\n".join(lines) + "\n"


def dump_organization(org: Organization) -> str:
    """One organization as an item of ``organizations.yaml``."""
    data = org.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    return f"- {_flow(data)}\n"


def _block_item(record: dict[str, Any]) -> list[str]:
    lines = []
    for n, (key, value) in enumerate(record.items()):
        prefix = "  - " if n == 0 else "    "
        lines.append(f"{prefix}{key}: {_flow(value)}")
    return lines


def _counts(value: Any) -> Any:
    """Write counts the way people do (``7B``) where the short form is exact."""
    if isinstance(value, dict):
        return {
            k: _short(v) if k in _COUNT_FIELDS and isinstance(v, int) else _counts(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_counts(v) for v in value]
    return value


def _short(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1000:
        text = format_count(value)
        try:
            if parse_count(text) == value:
                return text
        except ValueError:
            return value
    return value


def _flow(value: Any) -> str:
    if isinstance(value, dict | list):
        text = yaml.safe_dump(
            value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=math.inf
        )
        return text.strip()
    return _scalar(value)


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, width=math.inf, default_flow_style=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()
