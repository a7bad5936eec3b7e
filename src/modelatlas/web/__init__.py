"""The dashboard and the JSON API (FastAPI + Jinja2): ``create_app(settings)``.

The app is imported when it is asked for, not with the package: a build's process keeps the views its
child computed (``web.early``) without loading FastAPI, the templates and the analyses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelatlas.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from modelatlas.web.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
