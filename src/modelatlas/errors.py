"""Every exception modelatlas raises.

The tree::

    ModelAtlasError                 status 500, root of everything below
    ├── CatalogError                status 400, a catalog file or record is wrong
    │   └── CatalogInvalid          status 400, validation found problems (all of them, listed)
    ├── StoreError                  status 500, the database could not be built or read
    │   └── StoreMissing            status 503, no store has been built yet
    ├── NotFound                    status 404, no model answers to that id or alias
    ├── InputError                  status 422, an input file to import cannot be read at all
    ├── ConfigError                 status 422, a model's config.json lacks or garbles a setting
    ├── NotEnoughData               status 422, too few models with the facts an analysis needs
    ├── SourceError                 status 502, a live source (Hub, arXiv, GitHub) failed us
    │   ├── SourceHTTPError         status 502, it answered with an error status (url, status, request id)
    │   ├── SourceDataError         status 502, it answered with something we cannot parse
    │   └── SourceLimit             status 429, its rate limit or our request budget is spent
    └── BadArgument (ValueError)    status 400, a value given on the command line or API is malformed

Each carries ``status`` so one handler renders JSON and the CLI prints ``Error: …``
with a non-zero exit in one place. An error may also carry ``advice``, a shell command to run next, which
the CLI prints after the message and a web page leaves out, and ``key`` with ``values``: the message's
phrase in the dashboard's phrasebook (``web.i18n``), so a Chinese page says it in Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "BadArgument",
    "CatalogError",
    "CatalogInvalid",
    "ConfigError",
    "InputError",
    "ModelAtlasError",
    "NotEnoughData",
    "NotFound",
    "Problem",
    "SourceDataError",
    "SourceError",
    "SourceHTTPError",
    "SourceLimit",
    "StoreError",
    "StoreMissing",
]


class ModelAtlasError(Exception):
    """Root of every modelatlas error.

    ``str(error)`` is the message with its ``advice`` (``no store at … (run `modelatlas build` first)``);
    ``plain`` is the message alone, as a web page or the API shows it.
    """

    status = 500
    advice: str = ""
    key: str = ""
    values: Mapping[str, object] = MappingProxyType({})

    def __init__(
        self,
        message: str = "",
        *,
        advice: str = "",
        key: str = "",
        values: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        if advice:
            self.advice = advice
        if key:
            self.key, self.values = key, MappingProxyType(dict(values or {}))

    @property
    def plain(self) -> str:
        """The message without the advice."""
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return f"{self.plain} ({self.advice})" if self.advice else self.plain


class CatalogError(ModelAtlasError):
    """A catalog file or record is wrong."""

    status = 400


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation problem, located as ``file:line: field: message``."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = self.field or "-"
        return f"{self.path}:{self.line}: {field}: {self.message}"


class CatalogInvalid(CatalogError):
    """Validation found one or more problems; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"catalog has {len(problems)} {noun}",
            advice="run `modelatlas validate` to list them",
            key="err_catalog",
            values={"n": len(problems)},
        )


class StoreError(ModelAtlasError):
    """The database could not be built, migrated or read."""

    status = 500


class StoreMissing(StoreError):
    """No store exists at the configured URL."""

    status = 503


class NotFound(ModelAtlasError):
    """No model answers to the given id, name or alias."""

    status = 404


class BadArgument(ModelAtlasError, ValueError):
    """A value given on the command line or to the API is malformed."""

    status = 400


class InputError(ModelAtlasError):
    """An input file to import cannot be read at all (missing columns, not UTF-8, not the format).

    Malformed single rows are not errors: the importer skips them and reports why. ``line`` 0 means
    the file as a whole (it is then left out of the message).
    """

    status = 422

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class ConfigError(ModelAtlasError):
    """A model's ``config.json`` cannot be used: not JSON, or a setting the count needs is missing."""

    status = 422

    def __init__(self, origin: str, field: str, message: str) -> None:
        self.origin, self.field, self.message = origin, field, message
        super().__init__(f"{origin}: {field}: {message}" if field else f"{origin}: {message}")


class NotEnoughData(ModelAtlasError):
    """Too few models have the facts an analysis needs (a trend fit wants at least three dates)."""

    status = 422


class SourceError(ModelAtlasError):
    """A live source (the Hugging Face Hub, arXiv, GitHub) could not give us what we asked for."""

    status = 502


class SourceHTTPError(SourceError):
    """A source answered with an error status after every retry."""

    def __init__(self, url: str, status: int, request_id: str | None = None, detail: str = "") -> None:
        self.url, self.http_status, self.request_id = url, status, request_id
        rid = f" (request id {request_id})" if request_id else ""
        more = f": {detail}" if detail else ""
        super().__init__(f"GET {url} answered HTTP {status}{rid}{more}")


class SourceDataError(SourceError):
    """A source answered, but with a body we cannot parse (truncated JSON, a broken feed)."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(f"{url}: {message}")


class SourceLimit(SourceError):
    """A source's rate limit, or the request budget given to a sync, is spent; try again later."""

    status = 429
