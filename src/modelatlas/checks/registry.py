"""The registry of checks: each is one function with a docstring, registered with an id and a severity.

A *model check* looks at one record (``Subject``) at a time; a *catalog check* looks at all of them at
once (the same URL on two models, a derivative released before its base). Both yield ``Hit``s; the runner
turns each into a ``Finding`` located at the record's file and line.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelatlas.checks.subjects import Context, Subject

__all__ = ["CHECKS", "Check", "Finding", "Hit", "Severity", "catalog_check", "model_check"]


class Severity(enum.IntEnum):
    """How sure a check is that something is wrong; ``--fail-on`` compares against it."""

    info = 0
    warning = 1
    error = 2


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check found on one record: the field (``loc`` locates its line), a message, the evidence."""

    field: str
    message: str
    evidence: str = ""
    #: The path in the record that locates the line: ``("papers", 0, "arxiv")``; ``(field,)`` if empty.
    loc: tuple[str | int, ...] = ()
    #: Overrides the check's severity for this hit (a likely unit slip is worse than a rounding gap).
    severity: Severity | None = None
    #: The record a catalog check's hit belongs to; model checks leave it to the runner.
    subject: Subject | None = None
    #: Where a hit about no readable record is: (file, line, name as written).
    where: tuple[Path, int, str] | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a check found, located as ``file:line`` and named by the check's id."""

    check: str
    severity: Severity
    model: str
    field: str
    path: Path
    line: int
    message: str
    evidence: str
    origin: str

    def location(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None and path.is_relative_to(root):
            path = path.relative_to(root)
        return f"{path}:{self.line}"

    def as_dict(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity.name,
            "model": self.model,
            "field": self.field,
            "location": self.location(root),
            "message": self.message,
            "evidence": self.evidence,
            "origin": self.origin,
        }


ModelFn = Callable[["Subject", "Context"], Iterable[Hit]]
CatalogFn = Callable[[Sequence["Subject"], "Context"], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check: its id (``dates.future``), default severity, topic and what it looks for."""

    id: str
    severity: Severity
    doc: str
    model_fn: ModelFn | None = None
    catalog_fn: CatalogFn | None = None
    #: Only runs when the context has what it needs (a store for ``--store`` checks); see ``Context.has``.
    needs: tuple[str, ...] = field(default=())

    @property
    def topic(self) -> str:
        return self.id.split(".")[0]

    @property
    def summary(self) -> str:
        """The docstring's first paragraph on one line: what ``check --list`` shows."""
        paragraph = self.doc.strip().split("\n\n")[0]
        return " ".join(line.strip() for line in paragraph.splitlines()) or self.id

    def run(self, subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
        if self.model_fn is not None:
            for subject in subjects:
                for hit in self.model_fn(subject, ctx):
                    yield hit if hit.subject is not None else replace(hit, subject=subject)
        if self.catalog_fn is not None:
            yield from self.catalog_fn(subjects, ctx)


#: Every check, by id, in the order the modules register them.
CHECKS: dict[str, Check] = {}


def _register(check: Check) -> None:
    if check.id in CHECKS:
        raise ValueError(f"check {check.id!r} is registered twice")
    if not check.doc.strip():
        raise ValueError(f"check {check.id!r} needs a docstring: it is the check's help text")
    CHECKS[check.id] = check


def model_check(
    check_id: str, severity: Severity, *, needs: tuple[str, ...] = ()
) -> Callable[[ModelFn], ModelFn]:
    """Register ``fn(subject, ctx)`` as check ``check_id``; its docstring is the check's description."""

    def register(fn: ModelFn) -> ModelFn:
        _register(Check(check_id, severity, fn.__doc__ or "", model_fn=fn, needs=needs))
        return fn

    return register


def catalog_check(
    check_id: str, severity: Severity, *, needs: tuple[str, ...] = ()
) -> Callable[[CatalogFn], CatalogFn]:
    """Register ``fn(subjects, ctx)``, which sees every record at once, as check ``check_id``."""

    def register(fn: CatalogFn) -> CatalogFn:
        _register(Check(check_id, severity, fn.__doc__ or "", catalog_fn=fn, needs=needs))
        return fn

    return register
