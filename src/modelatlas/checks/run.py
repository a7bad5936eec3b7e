"""Run the registered checks over records and turn what they find into located, sorted findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from modelatlas.checks.registry import CHECKS, Check, Finding, Hit
from modelatlas.checks.subjects import Context
from modelatlas.errors import BadArgument

__all__ = ["pick_checks", "run_checks"]


def pick_checks(names: Iterable[str] = ()) -> list[Check]:
    """The checks named by id (``dates.future``) or topic (``dates``); all of them when none are named.

    Raises:
        BadArgument: a name matches no check.
    """
    wanted = [n.strip() for n in names if n.strip()]
    if not wanted:
        return list(CHECKS.values())
    picked: dict[str, Check] = {}
    for name in wanted:
        found = [c for c in CHECKS.values() if c.id == name or c.topic == name]
        if not found:
            topics = sorted({c.topic for c in CHECKS.values()})
            raise BadArgument(f"no check named {name!r}: use a check id or one of {', '.join(topics)}")
        picked.update((c.id, c) for c in found)
    return list(picked.values())


def run_checks(ctx: Context, checks: Sequence[Check] | None = None) -> list[Finding]:
    """Every finding of ``checks`` (default: all) over ``ctx.subjects``, by file, line and check."""
    findings: list[Finding] = []
    for check in checks if checks is not None else pick_checks():
        if not set(check.needs) <= ctx.has:
            continue
        findings.extend(_finding(check, hit) for hit in check.run(ctx.subjects, ctx))
    findings.sort(key=lambda f: (-f.severity, str(f.path), f.line, f.check, f.field))
    return findings


def _finding(check: Check, hit: Hit) -> Finding:
    severity = hit.severity if hit.severity is not None else check.severity
    if hit.subject is not None:
        subject = hit.subject
        loc = hit.loc or tuple(hit.field.split("."))
        return Finding(
            check=check.id,
            severity=severity,
            model=subject.model.id,
            field=hit.field,
            path=subject.path,
            line=subject.line_at(loc),
            message=hit.message,
            evidence=hit.evidence,
            origin=subject.origin,
        )
    path, line, name = hit.where if hit.where is not None else (Path("-"), 0, "")
    return Finding(check.id, severity, name, hit.field, path, line, hit.message, hit.evidence, "")
