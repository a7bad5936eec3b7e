"""A local server on 127.0.0.1 that replays recorded Hugging Face Hub, arXiv and GitHub responses.

It serves ``tests/fixtures/live`` (see its README: which responses are real and which were written from
the documented schemas) under three prefixes, so each real client can be pointed at it:

* ``/hf``: ``HF_ENDPOINT``: ``/api/models/<repo>``, ``/api/models?author=…|sort=likes`` (paged by Link
  header, as the Hub does), ``/<repo>/resolve/<rev>/config.json``;
* ``/arxiv/api/query``: ``MODELATLAS_ARXIV_URL``: ``id_list`` queries are answered with a feed holding the
  recorded entry of each id; ``search_query`` pages come from ``arxiv/search``;
* ``/github``: ``MODELATLAS_GITHUB_URL``: ``/repos/<o>/<r>`` and ``/releases/latest``, with ETags (304 on
  ``If-None-Match``) and ``x-ratelimit-*`` headers.

Tests queue faults for a path (``fail``) — a status with headers, a delay longer than the client's timeout,
a truncated body — and change bodies (``patch``) to move counts and ETags. Run it by hand with
``python tests/replay.py --port 8765`` to sync against it from a shell.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from modelatlas.sources._http import CachedResponse

try:
    from tests import hub_listing_data
except ModuleNotFoundError:  # run as a script: python tests/replay.py
    import hub_listing_data  # type: ignore[no-redef]

#: The Hub answers at most this many records per listing page.
HUB_PAGE_LIMIT = 1000

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "live"
_LLM_QUERY = 'cat:cs.CL AND abs:"large language model"'


@dataclass(frozen=True)
class Fault:
    """One faulty answer: ``status`` with ``headers``, after ``delay`` seconds, or the body cut in half."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate: bool = False


class DictCache:
    """The transport's ETag cache (``sources._http.Cache``) in a dict, for tests that need no store."""

    def __init__(self) -> None:
        self.entries: dict[str, CachedResponse] = {}

    def get(self, url: str) -> CachedResponse | None:
        return self.entries.get(url)

    def put(self, url: str, entry: CachedResponse) -> None:
        self.entries[url] = entry


class Replay:
    """The replay server's state: faults queued per path, patched bodies, and a log of requests."""

    def __init__(self, server: HTTPServer, root: Path = FIXTURES) -> None:
        self.server, self.root = server, root
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.patches: dict[str, Callable[[Any], Any]] = {}
        self.log: list[tuple[str, str]] = []
        self.ratelimit_remaining = 5000
        #: Seconds to wait before every answer (a slow server, for the test that kills a sync midway).
        self.delay = 0.0
        #: Records in the generated whole-Hub listing (``sort=createdAt``); 0 serves none.
        self.listing = 0
        self.listing_seed = 0
        #: Rendered listing pages by (offset, limit), kept when ``keep_pages`` (for benchmarks, so the
        #: server's own generating is not what is timed).
        self.keep_pages = False
        self._pages: dict[tuple[int, int], bytes] = {}
        self._lock = threading.Lock()
        server.expect_request(re.compile(r"^/.*")).respond_with_handler(self.handle)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

    @property
    def hf(self) -> str:
        return self.server.url_for("/hf").rstrip("/")

    @property
    def arxiv(self) -> str:
        return self.server.url_for("/arxiv/api/query")

    @property
    def github(self) -> str:
        return self.server.url_for("/github").rstrip("/")

    def env(self) -> dict[str, str]:
        """The environment that points modelatlas at this server."""
        return {
            "HF_ENDPOINT": self.hf,
            "MODELATLAS_ARXIV_URL": self.arxiv,
            "MODELATLAS_GITHUB_URL": self.github,
            "MODELATLAS_ARXIV_INTERVAL": "0",
            "MODELATLAS_REQUEST_INTERVAL": "0",
        }

    def fail(self, path: str, *faults: Fault) -> None:
        """Answer the next requests for ``path`` (exact, without the query) with ``faults``, in order."""
        with self._lock:
            self.faults[path].extend(faults)

    def patch(self, path: str, change: Callable[[Any], Any]) -> None:
        """Serve the JSON at ``path`` changed by ``change`` (it gets a deep copy), with a new ETag."""
        self.patches[path] = change

    def hits(self, prefix: str) -> list[str]:
        return [path for _, path in self.log if path.startswith(prefix)]

    # --- dispatch -------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path
        with self._lock:
            self.log.append((request.method, request.full_path))
            queued = self.faults.get(path)
            fault = queued.pop(0) if queued else None
        if self.delay:
            time.sleep(self.delay)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.status != 200:
            return Response(json.dumps({"error": "replayed fault"}), fault.status, fault.headers)
        response = self._answer(request)
        if fault is not None and fault.truncate:
            body = response.get_data()
            response.set_data(body[: len(body) // 2])
        return response

    def _answer(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/hf/"):
            return self._hub(request, path.removeprefix("/hf"))
        if path == "/arxiv/api/query":
            return self._arxiv(request)
        if path.startswith("/github/"):
            return self._github(request, path.removeprefix("/github"))
        return Response("not a replayed path", 404)

    def _json(self, request: Request, file: Path, key: str, extra: dict[str, str] | None = None) -> Response:
        body: Any = json.loads(file.read_text(encoding="utf-8"))
        if key in self.patches:
            body = self.patches[key](copy.deepcopy(body))
        data = json.dumps(body, indent=2).encode()
        etag = '"' + hashlib.sha1(data).hexdigest() + '"'
        headers = {"ETag": etag, "Content-Type": "application/json; charset=utf-8", **(extra or {})}
        if request.headers.get("If-None-Match") == etag:
            return Response(b"", 304, headers)
        return Response(data, 200, headers)

    # --- Hugging Face Hub -----------------------------------------------------------------------

    def _hub(self, request: Request, path: str) -> Response:
        not_found = {"X-Error-Code": "RepoNotFound", "X-Request-Id": "Root=replay"}
        if path == "/api/models":
            return self._hub_list(request)
        match = re.fullmatch(r"/api/models/([^/]+/[^/]+)", path)
        if match:
            file = self.root / "hf" / "models" / f"{match.group(1)}.json"
            if not file.exists():
                return Response(json.dumps({"error": "Repository not found"}), 404, not_found)
            return self._json(request, file, f"/hf{path}")
        match = re.fullmatch(r"/([^/]+/[^/]+)/resolve/[^/]+/config\.json", path)
        if match:
            file = self.root / "hf" / "configs" / f"{match.group(1)}.json"
            if not file.exists():
                headers = {"X-Error-Code": "EntryNotFound", "X-Request-Id": "Root=replay"}
                return Response(json.dumps({"error": "Entry not found"}), 404, headers)
            return self._json(request, file, f"/hf{path}")
        return Response(json.dumps({"error": "Not found"}), 404, not_found)

    def _hub_list(self, request: Request) -> Response:
        args = request.args
        limit = int(args.get("limit", "1000"))
        if args.get("author"):
            file = self.root / "hf" / "lists" / f"author-{args['author']}.json"
            items = json.loads(file.read_text(encoding="utf-8")) if file.exists() else []
            return Response(json.dumps(items[:limit]), 200, {"Content-Type": "application/json"})
        if args.get("sort") == "createdAt" and self.listing:
            return self._hub_listing(request)
        if args.get("sort") == "likes":
            page = int(args.get("cursor", "1"))
            file = self.root / "hf" / "lists" / f"likes-{page}.json"
            items = json.loads(file.read_text(encoding="utf-8")) if file.exists() else []
            headers = {"Content-Type": "application/json"}
            if (self.root / "hf" / "lists" / f"likes-{page + 1}.json").exists():
                following = self.server.url_for(f"/hf/api/models?sort=likes&limit={limit}&cursor={page + 1}")
                headers["Link"] = f'<{following}>; rel="next"'
            return Response(json.dumps(items), 200, headers)
        return Response("[]", 200, {"Content-Type": "application/json"})

    def _hub_listing(self, request: Request) -> Response:
        """A page of the generated listing (``tests/hub_listing_data.py``), made when asked for, with the
        Hub's cursor paging: the ``Link`` header repeats the query and adds an opaque ``cursor``."""
        args = request.args
        limit = min(int(args.get("limit", str(HUB_PAGE_LIMIT))), HUB_PAGE_LIMIT)
        cursor = args.get("cursor")
        offset = 0
        if cursor:
            try:
                offset = int(orjson.loads(base64.urlsafe_b64decode(cursor))["offset"])
            except (ValueError, KeyError, TypeError):
                return Response(
                    json.dumps({"error": "Invalid cursor"}), 400, {"Content-Type": "application/json"}
                )
        key = (offset, limit)
        body = self._pages.get(key)
        if body is None:
            records = hub_listing_data.window(self.listing, offset, offset + limit, self.listing_seed)
            body = orjson.dumps(records)
            if self.keep_pages:
                self._pages[key] = body
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if offset + limit < self.listing:
            token = base64.urlsafe_b64encode(orjson.dumps({"offset": offset + limit})).decode()
            kept = [(k, v) for k, v in args.items(multi=True) if k != "cursor"]
            query = "&".join(f"{k}={quote(v, safe='')}" for k, v in [*kept, ("cursor", token)])
            headers["Link"] = f'<{self.server.url_for("/hf/api/models")}?{query}>; rel="next"'
        return Response(body, 200, headers)

    # --- arXiv ----------------------------------------------------------------------------------

    def _arxiv(self, request: Request) -> Response:
        args = request.args
        start = int(args.get("start", "0"))
        per_page = int(args.get("max_results", "10"))
        headers = {"Content-Type": "application/atom+xml; charset=utf-8"}
        if args.get("id_list"):
            ids = args["id_list"].split(",")
            entries = []
            for arxiv_id in ids:
                bare = re.sub(r"v\d+$", "", arxiv_id).replace("/", "_")
                file = self.root / "arxiv" / "entries" / f"{bare}.xml"
                if file.exists():
                    entries.append(file.read_text(encoding="utf-8"))
            chosen = entries[start : start + per_page]
            return Response(self._feed(chosen, len(entries), start, per_page), 200, headers)
        query = args.get("search_query", "")
        name = {"all:testing": "testing", "testing": "testing", _LLM_QUERY: "llm"}.get(query)
        page = self.root / "arxiv" / "search" / f"{name}-{start}.xml"
        if name and page.exists():
            return Response(page.read_bytes(), 200, headers)
        return Response(self._feed([], 0, start, per_page), 200, headers)

    def _feed(self, entries: list[str], total: int, start: int, per_page: int) -> str:
        template = (self.root / "arxiv" / "feed-template.xml").read_text(encoding="utf-8")
        return (
            template.replace("{entries}", "\n".join(entries))
            .replace("{total}", str(total))
            .replace("{start}", str(start))
            .replace("{per_page}", str(per_page))
        )

    # --- GitHub ---------------------------------------------------------------------------------

    def _github(self, request: Request, path: str) -> Response:
        with self._lock:
            self.ratelimit_remaining = max(0, self.ratelimit_remaining - 1)
            remaining = self.ratelimit_remaining
        limits = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-github-request-id": "REPLAY:0001",
        }
        missing = json.dumps({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/releases/latest", path)
        if match:
            file = self.root / "github" / "releases" / f"{match.group(1)}.json"
        else:
            match = re.fullmatch(r"/repos/([^/]+/[^/]+)", path)
            file = self.root / "github" / "repos" / f"{match.group(1)}.json" if match else self.root / "-"
        if not file.exists():
            return Response(missing, 404, {**limits, "Content-Type": "application/json"})
        return self._json(request, file, f"/github{path}", limits)


def serve(port: int, listing: int = 0, keep_pages: bool = False) -> None:
    """Serve the fixtures (and a generated listing of ``listing`` records) until interrupted, printing
    the environment to use."""
    server = HTTPServer(host="127.0.0.1", port=port, threaded=True)
    replay = Replay(server)
    replay.listing, replay.keep_pages = listing, keep_pages
    server.start()
    for name, value in replay.env().items():
        print(f"export {name}={quote(value, safe=':/')}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--listing", type=int, default=0, help="records in the generated Hub listing")
    parser.add_argument("--keep-pages", action="store_true", help="keep rendered listing pages in memory")
    chosen = parser.parse_args()
    serve(chosen.port, chosen.listing, chosen.keep_pages)
