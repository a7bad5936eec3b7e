"""Polite HTTP for the live sources: pacing, retries, rate limits, a request budget and ETag revalidation.

``PoliteTransport`` wraps an ``httpx2`` transport (the HTTP client huggingface_hub 2.x is built on), so
the Hub client and the GitHub client share one behaviour:

* at least ``Policy.interval`` seconds between two requests;
* a 5xx answer, a timeout or a dropped connection is retried with exponential backoff;
* 429 (and 503) wait for ``Retry-After``; GitHub's ``x-ratelimit-remaining: 0`` waits for
  ``x-ratelimit-reset`` — unless the wait is longer than ``Policy.max_wait``, which raises ``SourceLimit``;
* at most ``Policy.budget`` requests (retries included), then ``SourceLimit``;
* with a ``Cache``, a GET is sent with ``If-None-Match`` and a 304 is answered from the cache.

``retrying_session`` gives the same pacing-free retries to a ``requests`` session (the arxiv package's).
"""

from __future__ import annotations

import email.utils
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx2
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from modelatlas.errors import SourceLimit

__all__ = [
    "CACHE_HEADER",
    "Cache",
    "CachedResponse",
    "Policy",
    "PoliteTransport",
    "Tally",
    "retrying_session",
]

#: Set on a response answered from the cache after a 304: ``revalidated``.
CACHE_HEADER = "x-modelatlas-cache"
_RETRY_STATUS = frozenset({500, 502, 503, 504})
_KEEP_HEADERS = ("content-type", "etag", "last-modified", "link")
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True, slots=True)
class Policy:
    """How politely to talk to one source."""

    #: Seconds between two requests (arXiv asks for 3).
    interval: float = 0.0
    #: Retries after the first try, for 5xx answers, timeouts and dropped connections.
    retries: int = 4
    #: The first backoff in seconds; it doubles on each retry.
    backoff: float = 1.0
    #: The longest single wait (Retry-After, a rate-limit reset, a backoff); longer raises SourceLimit.
    max_wait: float = 60.0
    #: Seconds to wait for a connection or a read.
    timeout: float = 30.0
    #: At most this many requests in this run, retries included; None for no limit.
    budget: int | None = None


@dataclass(slots=True)
class Tally:
    """What the transport did, for the sync summary."""

    requests: int = 0
    retries: int = 0
    revalidated: int = 0
    waited: float = 0.0


@dataclass(frozen=True, slots=True)
class CachedResponse:
    etag: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Cache(Protocol):
    """Where ETags and bodies are kept between runs (the store's ``http_cache`` table)."""

    def get(self, url: str) -> CachedResponse | None: ...

    def put(self, url: str, entry: CachedResponse) -> None: ...


class PoliteTransport(httpx2.BaseTransport):
    """An ``httpx2`` transport that paces, retries, respects rate limits, spends a budget and revalidates."""

    def __init__(
        self,
        policy: Policy,
        *,
        inner: httpx2.BaseTransport | None = None,
        cache: Cache | None = None,
        tally: Tally | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy
        self.inner = inner or httpx2.HTTPTransport()
        self.cache = cache
        self.tally = tally or Tally()
        self._sleep, self._clock, self._wall = sleep, clock, wall
        self._last: float | None = None
        self._not_before = 0.0
        self._lock = threading.Lock()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        url = str(request.url)
        cached = self.cache.get(url) if self.cache is not None and request.method == "GET" else None
        if cached is not None:
            request.headers["If-None-Match"] = cached.etag
        attempt = 0
        while True:
            self._take_turn(url)
            try:
                response = self.inner.handle_request(request)
            except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError):
                if attempt >= self.policy.retries:
                    raise
                self._pause(self._backoff(attempt), url)
                attempt += 1
                continue
            self._note_limits(response)
            wait = self._retry_wait(response, attempt)
            if wait is None:
                break
            response.close()
            self._pause(wait, url)
            attempt += 1
        return self._finish(request, response, cached)

    def close(self) -> None:
        self.inner.close()

    def _take_turn(self, url: str) -> None:
        with self._lock:
            budget = self.policy.budget
            if budget is not None and self.tally.requests >= budget:
                raise SourceLimit(f"the request budget of {budget} is spent before GET {url}")
            now = self._clock()
            last = self._last if self._last is not None else -math.inf
            ready = max(self._not_before, last + self.policy.interval)
            if ready - now > self.policy.max_wait:
                raise SourceLimit(
                    f"the rate limit is spent for another {ready - now:.0f} s before GET {url}; "
                    "run the sync again later or set a token"
                )
            if ready > now:
                self._sleep(ready - now)
                self.tally.waited += ready - now
            self._last = max(now, ready)
            self.tally.requests += 1

    def _pause(self, seconds: float, url: str) -> None:
        if seconds > self.policy.max_wait:
            raise SourceLimit(
                f"GET {url}: the source asks us to wait {seconds:.0f} s, longer than the "
                f"{self.policy.max_wait:.0f} s allowed; run the sync again later"
            )
        self.tally.retries += 1
        self.tally.waited += seconds
        self._sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        return float(min(self.policy.backoff * 2.0**attempt, self.policy.max_wait))

    def _retry_wait(self, response: httpx2.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying ``response``, or None to keep it."""
        status = response.status_code
        limited = status == 429 or (status == 403 and response.headers.get("x-ratelimit-remaining") == "0")
        if (not limited and status not in _RETRY_STATUS) or attempt >= self.policy.retries:
            return None
        told = _retry_after(response.headers, self._wall())
        return told if told is not None else self._backoff(attempt)

    def _note_limits(self, response: httpx2.Response) -> None:
        """After GitHub says ``x-ratelimit-remaining: 0``, hold the next request until the reset."""
        reset = response.headers.get("x-ratelimit-reset")
        if response.headers.get("x-ratelimit-remaining") == "0" and reset and reset.isdigit():
            self._not_before = self._clock() + max(0.0, int(reset) - self._wall())

    def _finish(
        self, request: httpx2.Request, response: httpx2.Response, cached: CachedResponse | None
    ) -> httpx2.Response:
        if response.status_code == 304 and cached is not None:
            response.close()
            self.tally.revalidated += 1
            headers = {**cached.headers, CACHE_HEADER: "revalidated", "etag": cached.etag}
            return httpx2.Response(200, headers=headers, content=cached.body, request=request)
        etag = response.headers.get("etag")
        if self.cache is None or request.method != "GET" or response.status_code != 200 or not etag:
            return response
        body = response.read()
        response.close()
        kept = {k: response.headers[k] for k in _KEEP_HEADERS if k in response.headers}
        self.cache.put(str(request.url), CachedResponse(etag, body, kept))
        # ``body`` is decoded already: the rebuilt answer must not claim gzip or the wire length
        fresh = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
        return httpx2.Response(200, headers=fresh, content=body, request=request)


def _retry_after(headers: httpx2.Headers, now: float) -> float | None:
    """``Retry-After`` (seconds or an HTTP date), or GitHub's ``x-ratelimit-reset`` when nothing remains."""
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):  # neither seconds nor a date: back off as usual
            parsed = None
        if parsed is not None:
            return max(0.0, float(parsed.timestamp()) - now)
    reset = headers.get("x-ratelimit-reset")
    if headers.get("x-ratelimit-remaining") == "0" and reset and reset.isdigit():
        return max(0.0, int(reset) - now)
    return None


class _CountingRetry(Retry):
    """urllib3's retry, charging each retry to the tally and the budget like the first try."""

    policy: Policy
    tally: Tally

    def increment(self, *args: Any, **kwargs: Any) -> Retry:  # type: ignore[override]
        following = super().increment(*args, **kwargs)  # raises MaxRetryError when none are left
        budget = self.policy.budget
        if budget is not None and self.tally.requests >= budget:
            raise SourceLimit(
                f"the request budget of {budget} is spent before a retry of {kwargs.get('url')}"
            )
        self.tally.requests += 1
        self.tally.retries += 1
        return following


class _TimeoutAdapter(HTTPAdapter):
    """A requests adapter with a default timeout and a request budget."""

    def __init__(self, policy: Policy, tally: Tally, retry: Retry) -> None:
        self.policy, self.tally = policy, tally
        super().__init__(max_retries=retry)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        budget = self.policy.budget
        if budget is not None and self.tally.requests >= budget:
            raise SourceLimit(f"the request budget of {budget} is spent before GET {request.url}")
        self.tally.requests += 1
        return super().send(request, stream=stream, timeout=timeout or self.policy.timeout, **kwargs)


def retrying_session(policy: Policy, tally: Tally) -> requests.Session:
    """A ``requests`` session that retries 429 (honouring Retry-After), 5xx and timeouts, within budget."""
    # urllib3 copies a Retry by its class for every attempt: the tally rides on a class of its own.
    counting = type("_SessionRetry", (_CountingRetry,), {"policy": policy, "tally": tally})
    retry = counting(
        total=policy.retries,
        connect=policy.retries,
        read=policy.retries,
        status=policy.retries,
        backoff_factor=policy.backoff / 2,
        backoff_max=policy.max_wait,
        status_forcelist=(429, *_RETRY_STATUS),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = _TimeoutAdapter(policy, tally, retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
