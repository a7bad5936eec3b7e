"""The command line's side of the one filter model: every filter of ``store.filters.FILTERS`` as an
option of a command, read by the same parser as the API's (``filters.filter_kwargs``).

``with_filters`` adds the options to a command that takes ``filters`` (the ``Filters`` fields given),
so ``list``, ``new``, ``trends`` and ``report`` take the same filters, spelt the same, with the same
help; a filter added to ``FILTERS`` is an option of each at once.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import typer

from modelatlas.store.filters import FILTERS, FilterSpec, filter_kwargs

__all__ = ["option_names", "with_filters"]

#: Options spelt otherwise than ``--`` and the parameter (``?q=`` is ``--text``).
_SPELLING = {"text": "--text"}


def option_names(s: FilterSpec) -> list[str]:
    """The option names of a filter: ``--org``, ``--released-after``, ``--text`` …"""
    return [_SPELLING.get(s.field, "--" + s.param.replace("_", "-"))]


def with_filters(
    *,
    skip: frozenset[str] = frozenset(),
    defaults: Mapping[str, str] | None = None,
    aliases: Mapping[str, tuple[str, ...]] | None = None,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A command taking ``filters: dict[str, Any]`` as one with an option per filter (but ``skip``'s
    fields); ``defaults`` by parameter name (``trends`` counts the notable models), ``aliases`` more
    option names by field (``--since`` for ``--released-after``)."""
    own_defaults, more = dict(defaults or {}), dict(aliases or {})
    taken = [s for s in FILTERS if s.field not in skip]
    shown = {s.param: option_names(s)[0] for s in taken}

    def wrap(command: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(command, eval_str=True)
        keyword = inspect.Parameter.KEYWORD_ONLY
        kept = [p.replace(kind=keyword) for p in own.parameters.values() if p.name != "filters"]
        added = []
        for s in taken:
            names = [*option_names(s), *more.get(s.field, ())]
            annotation: Any
            default: Any
            if s.many:
                option = typer.Option(*names, help=s.help.replace("(repeatable", "(repeat the option"))
                annotation, default = Annotated[list[str] | None, option], None
            elif s.flag:
                annotation, default = Annotated[bool, typer.Option(*names, help=s.help)], False
            else:
                annotation = Annotated[str | None, typer.Option(*names, help=s.help)]
                default = own_defaults.get(s.param)
            added.append(
                inspect.Parameter(f"filter_{s.field}", keyword, default=default, annotation=annotation)
            )

        @functools.wraps(command)
        def run(**kwargs: Any) -> None:
            raw = {s.param: kwargs.pop(f"filter_{s.field}") for s in taken}
            command(**kwargs, filters=filter_kwargs(raw, shown))

        signature = own.replace(parameters=[*added, *kept], return_annotation=None)
        run.__signature__ = signature  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
        return run

    return wrap
