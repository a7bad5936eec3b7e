"""The dashboard's ASGI middleware: HEAD answered as GET, the language a visitor picked remembered, and
the store's build read once per request.

FastAPI's routes answer only the methods they declare, so a HEAD (link checkers, ``curl -I``, caches
revalidating) would get 405 from every page: ``HeadAsGet`` sends it on as a GET and drops the body
(RFC 9110, 9.3.2). Both are plain ASGI, so a response passes through unchanged in one piece (and the
gzip middleware can leave a small one alone).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet", "OneStamp", "RememberLang"]

#: How long the language cookie lasts: a year.
LANG_COOKIE_AGE = 365 * 24 * 3600


class HeadAsGet:
    """ASGI middleware: a HEAD request is answered as the same GET would be, less the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class OneStamp:
    """ASGI middleware: each HTTP request runs within ``within()`` (``web.views.one_stamp``: the store's
    build read once however many views the request asks for). The context passes to the threads that
    run the routes and their dependencies, which copy it."""

    def __init__(self, app: ASGIApp, within: Callable[[], AbstractContextManager[None]]) -> None:
        self.app, self.within = app, within

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.within() if scope["type"] == "http" else contextlib.nullcontext():
            await self.app(scope, receive, send)


class RememberLang:
    """ASGI middleware: a request with ``?lang=`` one of ``langs`` sets the ``lang`` cookie to it, so
    the next page is in that language too."""

    def __init__(self, app: ASGIApp, langs: tuple[str, ...]) -> None:
        self.app, self.langs = app, langs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [])
        lang = asked[-1] if asked else None
        if lang not in self.langs:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"lang={lang}; Max-Age={LANG_COOKIE_AGE}; Path=/; SameSite=lax"
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, with_cookie)
