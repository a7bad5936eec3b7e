"""``create_app(settings)``: the FastAPI application, its templates, static files and error handling.

Errors are rendered in one place: under ``/api`` as JSON ``{"error": {"status", "message"}}``, elsewhere
as an HTML page in the request's language, with the status each ``ModelAtlasError`` carries.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.routing import Match

from modelatlas import __version__
from modelatlas.analysis.hardware.wording import origin_said
from modelatlas.config import Settings
from modelatlas.errors import ModelAtlasError
from modelatlas.report.headlines import months, times
from modelatlas.store.engine import make_engine
from modelatlas.web import assets, refresh, views
from modelatlas.web.hardware import Hardware
from modelatlas.web.i18n import ERRORS, LANGS, country_name, pick_lang, said, translator, validation
from modelatlas.web.middleware import HeadAsGet, OneStamp, RememberLang
from modelatlas.web.routes import api, pages

__all__ = ["create_app"]

HERE = Path(__file__).resolve().parent


_log = logging.getLogger("modelatlas.web")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The dashboard and the API over the store ``settings.db`` (read-only)."""
    config = settings or Settings()
    engine = make_engine(config.db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if config.warm:
            args = (config, engine, app.state.templates)
            threading.Thread(target=_warm, args=args, name="warm", daemon=True).start()
        yield
        engine.dispose()

    # Swagger UI (/docs) and ReDoc (/redoc) from fastapi-offline's copies of their assets, not a CDN
    app = FastAPIOffline(
        title="modelatlas",
        version=__version__,
        description="Large AI models: what was released, by whom, how big, how open, built on what.",
        lifespan=lifespan,
        static_url="/static/api-docs",
    )
    app.state.settings, app.state.engine = config, engine
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["version"] = __version__
    templates.env.globals["origin_said"] = origin_said
    templates.env.globals.update(times=times, months=months, country_name=country_name)
    templates.env.filters["atom_date"] = _atom_date
    app.state.templates = templates
    # before the mount, which would otherwise answer for every path under /static
    app.add_api_route("/static/vega.js", assets.vega_bundle, include_in_schema=False)
    app.add_api_route("/static/fonts/cjk.otf", assets.cjk_font, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_api_route("/healthz", pages.healthz, methods=["GET"], tags=["health"])

    app.add_middleware(OneStamp, within=views.one_stamp)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(RememberLang, langs=LANGS)
    app.add_middleware(HeadAsGet)
    app.add_exception_handler(ModelAtlasError, _handle)
    app.add_exception_handler(RequestValidationError, _handle)
    app.add_exception_handler(HTTPException, _handle)
    app.add_exception_handler(Exception, _unexpected)
    return app


def _warm(config: Settings, engine: Engine, templates: Jinja2Templates | None = None) -> None:
    """Compute what the pages need first, before their first visitors: every template compiled (the
    hardware page's three took 0.3 s of CPU on its first visit), the default views (``refresh.warm``),
    the models browser's facet index in memory and the card list."""
    if templates is not None:
        for name in templates.env.list_templates(extensions=["html", "xml"]):
            templates.env.get_template(name)
    refresh.warm(engine, config, LANGS)
    views.warm_browser(engine)
    with contextlib.suppress(ModelAtlasError):
        Hardware(config, engine).table()
    # What is warm now (the modules, the analysis table, the kept views: ~250,000 objects at 100,000
    # models) lives as long as the worker, so the cyclic collector need not walk it again: each full
    # collection did, pausing every request in flight for ~150 ms of CPU. Frozen objects that die are
    # still freed by reference counting; only a reference cycle among them would stay in memory.
    gc.freeze()


#: The methods a route may declare, probed one by one for a 405's ``Allow``.
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: What routing reads of a request's scope (the handler's scope carries the failed route's too).
_ROUTING_KEYS = frozenset({"type", "path", "root_path", "query_string", "headers"})


def _message(exc: Exception, lang: str | None) -> tuple[int, str]:
    """The status and message of an error: as a page in ``lang`` says it (its phrase, no shell advice),
    or, for the API (``lang`` None), the plain English message."""
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "query")
        context = {k: _listed(v) for k, v in (first.get("ctx") or {}).items()}
        detail = first.get("msg", "invalid")
        return 422, validation(where, first.get("type", ""), context, detail, lang or "en")
    if isinstance(exc, HTTPException):
        key = f"err_http_{exc.status_code}"
        return exc.status_code, translator(lang)(key) if lang and key in ERRORS else str(exc.detail)
    status = getattr(exc, "status", 500)
    status = 422 if status == 400 and isinstance(exc, ValueError) else status
    if isinstance(exc, ModelAtlasError):
        return status, exc.plain if lang is None else said(exc, lang)
    return status, str(exc)


def _listed(value: object) -> object:
    """A validation context's value as a message shows it (pydantic gives ``expected`` as a string)."""
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else value


async def _handle(request: Request, exc: Exception) -> Response:
    api = request.url.path.startswith("/api/")
    lang = None if api else pick_lang(request)
    status, message = _message(exc, lang)
    # a 405 says which methods the path takes (RFC 9110; missing before: schemathesis ST204)
    headers = dict(getattr(exc, "headers", None) or {}) if isinstance(exc, HTTPException) else {}
    if "Allow" in headers:
        headers["Allow"] = _allowed(request)
    if api:
        body = {"error": {"status": status, "message": message}}
        return JSONResponse(body, status_code=status, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    html = templates.get_template("error.html").render(
        request=request, lang=lang, t=translator(lang or "en"), status=status, message=message
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def _allowed(request: Request) -> str:
    """The methods some route on the request's path takes (Starlette names only the first route's:
    GET for ``/api/v1/memory``, which takes POST too), and HEAD wherever GET is (HeadAsGet answers it)."""
    scope = {key: value for key, value in request.scope.items() if key in _ROUTING_KEYS}
    routes = request.app.router.routes
    methods = {
        method
        for method in _METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }
    return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A failure no check foresaw: logged with its traceback, answered in the route's own shape (JSON
    under ``/api``: it was text/plain) without the internals."""
    _log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return await _handle(request, _Unexpected())


class _Unexpected(ModelAtlasError):
    status = 500

    def __init__(self) -> None:
        super().__init__("internal error: the request failed; the server's log has the details")


def _atom_date(value: str | None) -> str:
    """A catalog date (``2023``, ``2023-04``, ``2023-04-05``) as an Atom timestamp."""
    text = (value or "1970")[:10]
    parts = [*text.split("-"), "01", "01"][:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"
