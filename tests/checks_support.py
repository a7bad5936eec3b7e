"""Records to feed single checks: a model from a few fields, located in a made-up YAML file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from modelatlas.catalog.schema import Model
from modelatlas.checks import CHECKS, Context, Finding, Subject, run_checks

TODAY = dt.date(2026, 11, 23)


def model(**fields: Any) -> Model:
    """A valid model with ``fields``; id, name, domains and one source are filled in when not given."""
    data: dict[str, Any] = {"id": "m", "name": "M", "domains": ["nlp"]}
    data.update(fields)
    data.setdefault("sources", [{"id": "paper", "url": "https://example.org/m", "accessed": "2024-01-01"}])
    return Model.model_validate(data)


def subject(**fields: Any) -> Subject:
    """``model(**fields)`` as a catalog record read from ``models/<id>.yaml``, with real YAML lines."""
    record = model(**fields)
    text = yaml.safe_dump(record.model_dump(mode="json", exclude_defaults=True), sort_keys=False)
    return Subject(record, Path(f"models/{record.id}.yaml"), node=yaml.compose(text))


def findings(check_id: str, subjects: Sequence[Subject], **context: Any) -> list[Finding]:
    """What check ``check_id`` finds in ``subjects`` (today is ``TODAY`` unless given)."""
    context.setdefault("today", TODAY)
    ctx = Context(subjects=list(subjects), **context)
    return run_checks(ctx, [CHECKS[check_id]])
