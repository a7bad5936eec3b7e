"""``PoliteTransport`` on its own: pacing, retries, Retry-After, rate-limit headers, budget and ETags.

The transport wraps an ``httpx2.MockTransport`` that answers from a script, and gets an injected
``sleep``/``clock``/``wall`` (one fake time line), so every wait is recorded instead of slept.
``retrying_session`` (the arXiv client's ``requests`` session) is tested against the replay server.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import time
from collections.abc import Callable, Iterator

import httpx2
import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Response

from modelatlas.errors import SourceLimit
from modelatlas.sources._http import (
    CACHE_HEADER,
    CachedResponse,
    Policy,
    PoliteTransport,
    Tally,
    retrying_session,
)
from tests.replay import DictCache, Fault, Replay

URL = "https://api.example.test/repos/o/r"
EPOCH = 1_700_000_000.0


class FakeTime:
    """One time line for ``clock`` and ``wall``; ``sleep`` records the wait and moves time on."""

    def __init__(self, start: float = 1000.0) -> None:
        self.start = self.now = start
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return EPOCH + (self.now - self.start)


Answer = httpx2.Response | type[httpx2.TransportError]


class Script:
    """An ``httpx2.MockTransport`` handler giving ``answers`` in order and keeping every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, type):
            raise answer("scripted failure", request=request)
        return answer


class Rig:
    """A client on a ``PoliteTransport`` over a script, with its fake time and tally."""

    def __init__(self, policy: Policy, script: Script, cache: DictCache | None = None) -> None:
        self.script, self.time, self.tally = script, FakeTime(), Tally()
        self.transport = PoliteTransport(
            policy,
            inner=httpx2.MockTransport(script),
            cache=cache,
            tally=self.tally,
            sleep=self.time.sleep,
            clock=self.time.clock,
            wall=self.time.wall,
        )
        self.client = httpx2.Client(transport=self.transport)

    def get(self, url: str = URL) -> httpx2.Response:
        return self.client.get(url)


@pytest.fixture
def rig() -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(policy: Policy, *answers: Answer, cache: DictCache | None = None) -> Rig:
        made.append(Rig(policy, Script(*answers), cache))
        return made[-1]

    yield make
    for each in made:
        each.client.close()


def ok(body: object = None, **headers: str) -> httpx2.Response:
    return httpx2.Response(200, json=body if body is not None else {"ok": True}, headers=headers)


def status(code: int, **headers: str) -> httpx2.Response:
    return httpx2.Response(code, json={"message": f"status {code}"}, headers=headers)


def limits(remaining: int, reset: float) -> dict[str, str]:
    return {"x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": str(int(reset))}


# --- retries ---------------------------------------------------------------------------------------


def test_a_5xx_is_retried_with_doubling_backoff(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=3, backoff=0.5), status(500), status(502), ok({"n": 1}))
    response = r.get()
    assert response.status_code == 200
    assert response.json() == {"n": 1}
    assert r.time.sleeps == [0.5, 1.0]
    assert (r.tally.requests, r.tally.retries, r.tally.waited) == (3, 2, 1.5)


def test_after_every_retry_the_last_5xx_is_returned(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=2, backoff=0.25), status(500), status(502), status(503), ok())
    response = r.get()
    assert response.status_code == 503
    assert len(r.script.requests) == 3
    assert r.script.answers != [], "the fourth answer is never asked for"
    assert r.time.sleeps == [0.25, 0.5]
    assert (r.tally.requests, r.tally.retries) == (3, 2)


def test_a_4xx_other_than_429_is_not_retried(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=3, backoff=0.5), status(404), ok())
    assert r.get().status_code == 404
    assert len(r.script.requests) == 1
    assert r.time.sleeps == []
    assert (r.tally.requests, r.tally.retries) == (1, 0)


def test_backoff_is_capped_at_max_wait(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=3, backoff=4, max_wait=10), status(500), status(500), status(500), ok())
    assert r.get().status_code == 200
    assert r.time.sleeps == [4.0, 8.0, 10.0]


def test_a_read_timeout_is_retried(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=2, backoff=0.5), httpx2.ReadTimeout, httpx2.ConnectError, ok({"n": 2}))
    response = r.get()
    assert response.json() == {"n": 2}
    assert r.time.sleeps == [0.5, 1.0]
    assert (r.tally.requests, r.tally.retries) == (3, 2)


def test_a_read_timeout_on_every_try_is_raised_after_the_retries(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=2, backoff=0.5), *[httpx2.ReadTimeout] * 3, ok())
    with pytest.raises(httpx2.ReadTimeout):
        r.get()
    assert len(r.script.requests) == 3
    assert r.time.sleeps == [0.5, 1.0]
    assert (r.tally.requests, r.tally.retries) == (3, 2)


# --- Retry-After and rate limits -------------------------------------------------------------------


def test_429_waits_for_retry_after_seconds(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=2, backoff=0.5), status(429, **{"Retry-After": "7"}), ok())
    assert r.get().status_code == 200
    assert r.time.sleeps == [7.0]
    assert (r.tally.requests, r.tally.retries, r.tally.waited) == (2, 1, 7.0)


def test_429_without_retry_after_backs_off(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=2, backoff=0.5), status(429), ok())
    assert r.get().status_code == 200
    assert r.time.sleeps == [0.5]


def test_retry_after_as_an_http_date(rig: Callable[..., Rig]) -> None:
    when = email.utils.formatdate(EPOCH + 30, usegmt=True)
    r = rig(Policy(retries=2, backoff=0.5), status(503, **{"Retry-After": when}), ok())
    assert r.get().status_code == 200
    assert r.time.sleeps == [pytest.approx(30.0)]


def test_retry_after_in_the_past_retries_at_once(rig: Callable[..., Rig]) -> None:
    when = email.utils.formatdate(EPOCH - 300, usegmt=True)
    r = rig(Policy(retries=2, backoff=0.5), status(429, **{"Retry-After": when}), ok())
    assert r.get().status_code == 200
    assert r.time.sleeps == [0.0]


def test_an_unreadable_retry_after_falls_back_to_backoff(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=2, backoff=0.5), status(429, **{"Retry-After": "soon, maybe"}), ok())
    assert r.get().status_code == 200
    assert r.time.sleeps == [0.5]


def test_a_retry_after_longer_than_max_wait_raises_source_limit_without_sleeping(
    rig: Callable[..., Rig],
) -> None:
    r = rig(Policy(retries=2, backoff=0.5, max_wait=60), status(429, **{"Retry-After": "120"}), ok())
    with pytest.raises(SourceLimit, match=r"wait 120 s, longer than the 60 s allowed"):
        r.get()
    assert r.time.sleeps == []
    assert len(r.script.requests) == 1


def test_a_github_rate_limit_403_waits_until_the_reset(rig: Callable[..., Rig]) -> None:
    r = rig(
        Policy(retries=2, backoff=0.5, max_wait=60),
        status(403, **limits(0, EPOCH + 42)),
        ok({"n": 3}, **limits(4999, EPOCH + 3600)),
    )
    response = r.get()
    assert response.json() == {"n": 3}
    assert r.time.sleeps == [42.0], "one wait for the reset, not a second one before the retry"
    assert r.tally.waited == 42.0


def test_a_403_with_requests_remaining_is_not_retried(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=2, backoff=0.5), status(403, **limits(10, EPOCH + 42)), ok())
    assert r.get().status_code == 403
    assert len(r.script.requests) == 1
    assert r.time.sleeps == []


def test_a_github_rate_limit_403_with_a_far_reset_raises_source_limit(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(retries=2, backoff=0.5, max_wait=60), status(403, **limits(0, EPOCH + 3600)), ok())
    with pytest.raises(SourceLimit):
        r.get()
    assert r.time.sleeps == []
    assert len(r.script.requests) == 1


def test_after_the_last_allowed_request_the_next_waits_for_the_reset(rig: Callable[..., Rig]) -> None:
    r = rig(
        Policy(max_wait=60),
        ok({"n": 1}, **limits(0, EPOCH + 20)),
        ok({"n": 2}, **limits(4999, EPOCH + 3600)),
    )
    assert r.get().json() == {"n": 1}
    assert r.time.sleeps == []
    assert r.get().json() == {"n": 2}
    assert r.time.sleeps == [20.0]
    assert r.tally.retries == 0


def test_after_the_last_allowed_request_a_far_reset_raises_source_limit(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(max_wait=60), ok(**limits(0, EPOCH + 600)), ok())
    assert r.get().status_code == 200
    with pytest.raises(SourceLimit, match="rate limit is spent"):
        r.get()
    assert len(r.script.requests) == 1
    assert r.time.sleeps == []


# --- budget and pacing -----------------------------------------------------------------------------


def test_a_budget_of_two_allows_two_requests(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(budget=2), ok(), ok(), ok())
    assert r.get().status_code == 200
    assert r.get().status_code == 200
    with pytest.raises(SourceLimit, match="request budget of 2 is spent"):
        r.get()
    assert len(r.script.requests) == 2
    assert r.tally.requests == 2


def test_retries_are_charged_to_the_budget(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(budget=2, retries=4, backoff=0.5), status(500), status(500), ok())
    with pytest.raises(SourceLimit, match="budget of 2"):
        r.get()
    assert len(r.script.requests) == 2


def test_interval_spaces_requests(rig: Callable[..., Rig]) -> None:
    r = rig(Policy(interval=3), ok(), ok(), ok(), ok())
    r.get()
    assert r.time.sleeps == []
    r.get()
    assert r.time.sleeps == [3.0]
    r.time.now += 1.0  # one second of work between two requests
    r.get()
    assert r.time.sleeps == [3.0, 2.0]
    r.time.now += 10.0
    r.get()
    assert r.time.sleeps == [3.0, 2.0]
    assert r.tally.waited == 5.0
    assert r.tally.retries == 0


def test_interval_spaces_requests_from_a_clock_at_zero() -> None:
    fake = FakeTime(start=0.0)
    transport = PoliteTransport(
        Policy(interval=3),
        inner=httpx2.MockTransport(Script(ok(), ok())),
        sleep=fake.sleep,
        clock=fake.clock,
        wall=fake.wall,
    )
    with httpx2.Client(transport=transport) as client:
        client.get(URL)
        client.get(URL)
    assert fake.sleeps == [3.0]


# --- ETag revalidation -----------------------------------------------------------------------------


def test_an_etag_is_kept_and_a_304_is_answered_from_the_cache(rig: Callable[..., Rig]) -> None:
    cache = DictCache()
    body = {"stargazers_count": 7}
    r = rig(
        Policy(),
        ok(body, etag='"v1"'),
        httpx2.Response(304, headers={"etag": '"v1"'}),
        ok({"stargazers_count": 8}, etag='"v2"'),
        cache=cache,
    )
    first = r.get()
    assert first.json() == body
    assert CACHE_HEADER not in first.headers
    assert "if-none-match" not in r.script.requests[0].headers
    stored = cache.entries[URL]
    assert stored.etag == '"v1"'
    assert json.loads(stored.body) == body
    assert stored.headers["content-type"] == "application/json"

    second = r.get()
    assert r.script.requests[1].headers["if-none-match"] == '"v1"'
    assert second.status_code == 200
    assert second.headers[CACHE_HEADER] == "revalidated"
    assert second.headers["etag"] == '"v1"'
    assert second.json() == body
    assert r.tally.revalidated == 1

    third = r.get()
    assert r.script.requests[2].headers["if-none-match"] == '"v1"'
    assert third.json() == {"stargazers_count": 8}
    assert CACHE_HEADER not in third.headers
    assert cache.entries[URL].etag == '"v2"'
    assert r.tally.revalidated == 1
    assert r.tally.requests == 3


def test_an_answer_without_etag_is_not_cached(rig: Callable[..., Rig]) -> None:
    cache = DictCache()
    r = rig(Policy(), ok({"n": 1}), ok({"n": 2}), cache=cache)
    assert r.get().json() == {"n": 1}
    assert cache.entries == {}
    assert r.get().json() == {"n": 2}
    assert "if-none-match" not in r.script.requests[1].headers
    assert r.tally.revalidated == 0


def test_an_error_answer_is_not_cached(rig: Callable[..., Rig]) -> None:
    cache = DictCache()
    r = rig(Policy(retries=0), status(404, etag='"gone"'), cache=cache)
    assert r.get().status_code == 404
    assert cache.entries == {}


def test_a_post_is_neither_revalidated_nor_cached(rig: Callable[..., Rig]) -> None:
    cache = DictCache()
    cache.put(URL, CachedResponse('"v1"', b'{"n": 0}', {"content-type": "application/json"}))
    r = rig(Policy(), ok({"n": 1}, etag='"v9"'), cache=cache)
    assert r.client.post(URL, json={}).json() == {"n": 1}
    assert "if-none-match" not in r.script.requests[0].headers
    assert cache.entries[URL].etag == '"v1"'


def test_a_gzipped_answer_without_a_cache_is_decoded(httpserver: HTTPServer) -> None:
    body = json.dumps({"stargazers_count": 7}).encode()
    headers = {"Content-Encoding": "gzip", "ETag": '"gz1"', "Content-Type": "application/json"}
    httpserver.expect_request("/repo").respond_with_response(Response(gzip.compress(body), 200, headers))
    with httpx2.Client(transport=PoliteTransport(Policy(retries=0))) as client:
        assert client.get(httpserver.url_for("/repo")).json() == {"stargazers_count": 7}


def test_a_gzipped_answer_with_an_etag_is_cached_and_decoded(httpserver: HTTPServer) -> None:
    body = json.dumps({"stargazers_count": 7}).encode()
    headers = {"Content-Encoding": "gzip", "ETag": '"gz1"', "Content-Type": "application/json"}
    httpserver.expect_request("/repo").respond_with_response(Response(gzip.compress(body), 200, headers))
    cache = DictCache()
    with httpx2.Client(transport=PoliteTransport(Policy(retries=0), cache=cache)) as client:
        assert client.get(httpserver.url_for("/repo")).json() == {"stargazers_count": 7}
    assert cache.entries[httpserver.url_for("/repo")].body == body


# --- retrying_session (requests, for the arxiv package) --------------------------------------------

WHISPER = "/github/repos/openai/whisper"


def test_retrying_session_retries_a_5xx(replay: Replay) -> None:
    replay.fail(WHISPER, Fault(status=500))
    tally = Tally()
    with retrying_session(Policy(retries=2, backoff=0.01, timeout=5), tally) as session:
        response = session.get(replay.github + "/repos/openai/whisper")
    assert response.status_code == 200
    assert response.json()["full_name"] == "openai/whisper"
    assert len(replay.hits(WHISPER)) == 2


def test_retrying_session_returns_the_last_5xx_after_every_retry(replay: Replay) -> None:
    replay.fail(WHISPER, *[Fault(status=502)] * 4)
    with retrying_session(Policy(retries=2, backoff=0.01, timeout=5), Tally()) as session:
        response = session.get(replay.github + "/repos/openai/whisper")
    assert response.status_code == 502
    assert len(replay.hits(WHISPER)) == 3


def test_retrying_session_honours_retry_after(replay: Replay) -> None:
    replay.fail(WHISPER, Fault(status=429, headers={"Retry-After": "1"}))
    with retrying_session(Policy(retries=2, backoff=0.01, timeout=5), Tally()) as session:
        started = time.monotonic()
        response = session.get(replay.github + "/repos/openai/whisper")
        waited = time.monotonic() - started
    assert response.status_code == 200
    assert waited >= 0.9
    assert len(replay.hits(WHISPER)) == 2


def test_retrying_session_times_out(replay: Replay) -> None:
    replay.fail(WHISPER, Fault(delay=1.0))
    with (
        retrying_session(Policy(retries=0, backoff=0.01, timeout=0.3), Tally()) as session,
        pytest.raises(requests.exceptions.ConnectionError),
    ):
        session.get(replay.github + "/repos/openai/whisper")


def test_retrying_session_spends_a_budget(replay: Replay) -> None:
    tally = Tally()
    with retrying_session(Policy(retries=2, backoff=0.01, timeout=5, budget=1), tally) as session:
        assert session.get(replay.github + "/repos/openai/whisper").status_code == 200
        with pytest.raises(SourceLimit, match="request budget of 1 is spent"):
            session.get(replay.github + "/repos/openai/whisper")
    assert tally.requests == 1
    assert len(replay.hits(WHISPER)) == 1


def test_retrying_session_charges_retries_to_the_budget(replay: Replay) -> None:
    replay.fail(WHISPER, Fault(status=500))
    tally = Tally()
    with retrying_session(Policy(retries=2, backoff=0.01, timeout=5, budget=2), tally) as session:
        assert session.get(replay.github + "/repos/openai/whisper").status_code == 200
        assert len(replay.hits(WHISPER)) == 2
        assert (tally.requests, tally.retries) == (2, 1)
        with pytest.raises(SourceLimit):
            session.get(replay.github + "/repos/openai/whisper")
