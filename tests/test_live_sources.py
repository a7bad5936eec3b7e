"""The Hub, GitHub and arXiv sources, each through its real client, against the local replay server.

``HubSource`` goes through ``huggingface_hub``, ``GitHubSource`` through ``httpx2`` and ``ArxivSource``
through the ``arxiv`` package; the server (``tests/replay.py``) serves ``tests/fixtures/live`` and queues
faults. Expected values are read from the fixture files, so a test compares what the client parsed with
what the server sent.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from huggingface_hub import get_session
from pytest_httpserver import HTTPServer

from modelatlas.errors import SourceDataError, SourceHTTPError, SourceLimit
from modelatlas.sources._http import Policy, PoliteTransport, Tally
from modelatlas.sources.arxiv import ArxivPaper, ArxivSource, introduced_model
from modelatlas.sources.github import GitHubSource, github_repo
from modelatlas.sources.hf import HubSource
from tests.replay import FIXTURES, DictCache, Fault, Replay

FAST = Policy(interval=0, backoff=0.01, timeout=5, max_wait=5)
BERT = "google-bert/bert-base-uncased"
BERT_PATH = f"/hf/api/models/{BERT}"
WHISPER_PATH = "/github/repos/openai/whisper"
ARXIV_PATH = "/arxiv/api/query"
ATOM = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
LLM_QUERY = 'cat:cs.CL AND abs:"large language model"'


def fixture_json(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def replay_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


@pytest.fixture
def replay(replay_server: HTTPServer) -> Replay:
    """A fresh ``Replay`` (no faults, patches or log) on the module's server.

    Overrides conftest's ``replay``, which starts a server per test: stopping one takes half a second
    (werkzeug's shutdown poll), too slow for this many tests.
    """
    replay_server.clear()
    return Replay(replay_server)


@dataclass
class Hub:
    source: HubSource
    tally: Tally
    sleeps: list[float] = field(default_factory=list)


@pytest.fixture
def hub(replay: Replay) -> Iterator[Callable[..., Hub]]:
    """Make a ``HubSource`` on the replay server; its waits are recorded (and not slept)."""
    made: list[HubSource] = []

    def make(policy: Policy = FAST) -> Hub:
        tally, sleeps = Tally(), list[float]()
        transport = PoliteTransport(policy, tally=tally, sleep=sleeps.append)
        source = HubSource(transport=transport, endpoint=replay.hf, timeout=policy.timeout)
        made.append(source)
        return Hub(source, tally, sleeps)

    yield make
    for source in made:
        source.close()


@dataclass
class GitHub:
    source: GitHubSource
    tally: Tally
    cache: DictCache | None


@pytest.fixture
def github(replay: Replay) -> Iterator[Callable[..., GitHub]]:
    made: list[GitHubSource] = []

    def make(policy: Policy = FAST, cache: DictCache | None = None) -> GitHub:
        tally = Tally()
        transport = PoliteTransport(policy, cache=cache, tally=tally)
        source = GitHubSource(transport=transport, base_url=replay.github, timeout=policy.timeout)
        made.append(source)
        return GitHub(source, tally, cache)

    yield make
    for source in made:
        source.close()


@pytest.fixture
def arxiv_source(replay: Replay) -> Iterator[ArxivSource]:
    source = ArxivSource(policy=FAST, base_url=replay.arxiv)
    yield source
    source.close()


# --- the Hub ---------------------------------------------------------------------------------------


def test_model_parses_the_recorded_bert_body(hub: Callable[..., Hub], replay: Replay) -> None:
    body = fixture_json(f"hf/models/{BERT}.json")
    model = hub().source.model(BERT)
    assert model is not None
    assert model.repo_id == BERT
    assert model.author == "google-bert"
    assert model.downloads == body["downloads"] == 60478923
    assert model.likes == body["likes"]
    assert model.pipeline_tag == "fill-mask"
    assert model.library == "transformers"
    assert model.parameters == body["safetensors"]["total"] == sum(body["safetensors"]["parameters"].values())
    assert model.license == body["cardData"]["license"] == "apache-2.0"
    assert "license:apache-2.0" in model.tags
    assert model.sha == body["sha"]
    assert body["lastModified"] == "2024-02-19T11:06:12.000Z"
    assert model.last_modified == "2024-02-19T11:06:12Z"
    assert model.created_at == "2022-03-02T23:29:04Z"
    assert model.gated is None
    assert model.base_models == ()
    assert model.metrics() == {"downloads": float(body["downloads"]), "likes": float(body["likes"])}
    assert model.facts() == {
        "sha": body["sha"],
        "created_at": "2022-03-02T23:29:04Z",
        "last_modified": "2024-02-19T11:06:12Z",
        "license": "apache-2.0",
        "pipeline_tag": "fill-mask",
        "library": "transformers",
        "parameters": body["safetensors"]["total"],
    }
    assert replay.hits("/hf/") == [BERT_PATH + "?"]


def test_model_reads_a_fine_tune_and_a_gated_repo(hub: Callable[..., Hub]) -> None:
    body = fixture_json("hf/models/meta-llama/Llama-2-7b-chat-hf.json")
    model = hub().source.model("meta-llama/Llama-2-7b-chat-hf")
    assert model is not None
    assert model.base_models == ("meta-llama/Llama-2-7b-hf",)
    assert model.gated == body["gated"] == "manual"
    assert model.license == "llama2"
    assert model.parameters == body["safetensors"]["total"]


def test_config_at_a_revision_is_the_recorded_file(hub: Callable[..., Hub], replay: Replay) -> None:
    source = hub().source
    model = source.model(BERT)
    assert model is not None and model.sha is not None
    config = source.config(BERT, model.sha)
    assert config is not None
    assert config == fixture_json(f"hf/configs/{BERT}.json")
    assert config["hidden_size"] == 768
    assert replay.hits(f"/hf/{BERT}/resolve/") == [f"/hf/{BERT}/resolve/{model.sha}/config.json?"]


def test_a_vanished_repo_is_none(hub: Callable[..., Hub], replay: Replay) -> None:
    h = hub()
    assert not (FIXTURES / "hf/models/THUDM/chatglm-6b-int8.json").exists()
    assert h.source.model("THUDM/chatglm-6b-int8") is None
    assert len(replay.hits("/hf/api/models/THUDM/chatglm-6b-int8")) == 1, "a 404 is not retried"
    assert h.tally.retries == 0


def test_a_repo_without_config_gives_none(hub: Callable[..., Hub]) -> None:
    source = hub().source
    assert (FIXTURES / "hf/models/facebook/opt-125m.json").exists()
    assert not (FIXTURES / "hf/configs/facebook/opt-125m.json").exists()
    assert source.config("facebook/opt-125m", "main") is None
    assert source.config("runwayml/stable-diffusion-v1-5") is None


def test_recent_lists_an_authors_models_newest_first(hub: Callable[..., Hub], replay: Replay) -> None:
    listed = fixture_json("hf/lists/author-THUDM.json")
    models = hub().source.recent("THUDM", 10)
    assert [m.repo_id for m in models] == [item["id"] for item in listed]
    assert [m.likes for m in models] == [item.get("likes") for item in listed]
    (path,) = replay.hits("/hf/api/models?")
    assert "author=THUDM" in path and "limit=10" in path


def test_most_liked_follows_the_link_header_to_page_two(hub: Callable[..., Hub], replay: Replay) -> None:
    pages = fixture_json("hf/lists/likes-1.json") + fixture_json("hf/lists/likes-2.json")
    models = hub().source.most_liked(20)
    assert [m.repo_id for m in models] == [item["id"] for item in pages]
    assert len(models) == 8
    likes = [m.likes or 0 for m in models]
    assert likes == sorted(likes, reverse=True) and likes[-1] > 0
    first, second = replay.hits("/hf/api/models?")
    assert "sort=likes" in first and "cursor" not in first
    assert "cursor=2" in second


def test_most_liked_stops_within_the_first_page(hub: Callable[..., Hub], replay: Replay) -> None:
    page = fixture_json("hf/lists/likes-1.json")
    models = hub().source.most_liked(3)
    assert [m.repo_id for m in models] == [item["id"] for item in page[:3]]
    assert len(replay.hits("/hf/api/models?")) == 1


def test_hub_429_waits_for_retry_after(hub: Callable[..., Hub], replay: Replay) -> None:
    replay.fail(BERT_PATH, Fault(status=429, headers={"Retry-After": "1"}))
    h = hub()
    model = h.source.model(BERT)
    assert model is not None and model.likes == fixture_json(f"hf/models/{BERT}.json")["likes"]
    assert h.sleeps == [1.0]
    assert (h.tally.requests, h.tally.retries) == (2, 1)
    assert len(replay.hits(BERT_PATH)) == 2


def test_hub_500_is_retried(hub: Callable[..., Hub], replay: Replay) -> None:
    replay.fail(BERT_PATH, Fault(status=500))
    h = hub()
    model = h.source.model(BERT)
    assert model is not None and model.pipeline_tag == "fill-mask"
    assert h.sleeps == [FAST.backoff]
    assert (h.tally.requests, h.tally.retries) == (2, 1)


def test_hub_answer_slower_than_the_timeout_is_retried(hub: Callable[..., Hub], replay: Replay) -> None:
    replay.fail(BERT_PATH, Fault(delay=1.5))
    h = hub(Policy(interval=0, backoff=0.01, timeout=0.5, max_wait=5))
    started = time.monotonic()
    model = h.source.model(BERT)
    assert time.monotonic() - started < 1.5, "the slow answer was not waited for"
    assert model is not None and model.sha == fixture_json(f"hf/models/{BERT}.json")["sha"]
    assert (h.tally.requests, h.tally.retries) == (2, 1)
    assert len(replay.hits(BERT_PATH)) == 2


def test_hub_truncated_json_is_a_data_error_naming_the_url(hub: Callable[..., Hub], replay: Replay) -> None:
    replay.fail(BERT_PATH, Fault(truncate=True))
    with pytest.raises(SourceDataError) as caught:
        hub().source.model(BERT)
    assert caught.value.url == replay.hf + f"/api/models/{BERT}"
    assert replay.hf + f"/api/models/{BERT}" in str(caught.value)


def test_hub_500_on_every_try_is_an_http_error(hub: Callable[..., Hub], replay: Replay) -> None:
    replay.fail(BERT_PATH, *[Fault(status=500)] * 5)
    h = hub(Policy(interval=0, backoff=0.01, timeout=5, max_wait=5, retries=2))
    with pytest.raises(SourceHTTPError) as caught:
        h.source.model(BERT)
    assert caught.value.http_status == 500
    assert caught.value.url == replay.hf + f"/api/models/{BERT}"
    assert len(replay.hits(BERT_PATH)) == 3
    assert (h.tally.requests, h.tally.retries) == (3, 2)


def test_hub_budget_is_spent(hub: Callable[..., Hub], replay: Replay) -> None:
    source = hub(Policy(interval=0, backoff=0.01, timeout=5, max_wait=5, budget=1)).source
    assert source.model(BERT) is not None
    with pytest.raises(SourceLimit, match="budget of 1"):
        source.model("bigscience/bloom")
    assert replay.hits("/hf/") == [BERT_PATH + "?"]


def test_the_hub_session_never_leaves_the_endpoint(hub: Callable[..., Hub], replay: Replay) -> None:
    h = hub()
    session = get_session()
    assert isinstance(session, httpx2.Client)
    foreign = session.get("http://example.invalid/x")
    assert foreign.status_code == 404
    assert foreign.text == "not the configured Hub endpoint"
    # conftest points huggingface_hub's own HF_ENDPOINT at this closed port: a real attempt would fail
    stray = session.get("http://127.0.0.1:9/api/agent-harnesses")
    assert stray.status_code == 404
    assert stray.text == "not the configured Hub endpoint"
    assert h.tally.requests == 0, "nothing foreign went through the polite transport"
    home = session.get(replay.hf + f"/api/models/{BERT}")
    assert home.status_code == 200
    assert home.json()["id"] == BERT
    assert [path for _, path in replay.log] == [BERT_PATH + "?"]
    assert h.tally.requests == 1


# --- GitHub ----------------------------------------------------------------------------------------


def test_repo_with_its_latest_release(github: Callable[..., GitHub], replay: Replay) -> None:
    body = fixture_json("github/repos/openai/whisper.json")
    release = fixture_json("github/releases/openai/whisper.json")
    repo = github().source.repo("openai/whisper")
    assert repo is not None
    assert repo.full_name == body["full_name"] == "openai/whisper"
    assert repo.stars == body["stargazers_count"]
    assert repo.forks == body["forks_count"]
    assert repo.open_issues == body["open_issues_count"]
    assert repo.license == body["license"]["spdx_id"] == "MIT"
    assert repo.created_at == body["created_at"]
    assert repo.archived is False
    assert repo.release is not None
    assert repo.release.tag == release["tag_name"] == "v20231117"
    assert repo.release.published_at == release["published_at"]
    assert repo.facts()["latest_release"] == "v20231117"
    assert repo.metrics() == {
        "stars": float(body["stargazers_count"]),
        "forks": float(body["forks_count"]),
        "open_issues": float(body["open_issues_count"]),
    }
    assert replay.hits("/github/") == [WHISPER_PATH + "?", WHISPER_PATH + "/releases/latest?"]


def test_repo_without_release(github: Callable[..., GitHub], replay: Replay) -> None:
    body = fixture_json("github/repos/THUDM/ChatGLM-6B.json")
    repo = github().source.repo("THUDM/ChatGLM-6B")
    assert repo is not None
    assert repo.stars == body["stargazers_count"]
    assert repo.license == "Apache-2.0"
    assert repo.release is None
    assert "latest_release" not in repo.facts()
    assert len(replay.hits("/github/repos/THUDM/ChatGLM-6B/releases/latest")) == 1


def test_a_noassertion_licence_falls_back_to_its_key(github: Callable[..., GitHub]) -> None:
    body = fixture_json("github/repos/facebookresearch/llama.json")
    assert body["license"]["spdx_id"] == "NOASSERTION"
    repo = github().source.repo("facebookresearch/llama")
    assert repo is not None and repo.license == body["license"]["key"] == "other"


def test_an_unknown_repo_is_none(github: Callable[..., GitHub], replay: Replay) -> None:
    assert github().source.repo("nobody/nothing") is None
    assert replay.hits("/github/") == ["/github/repos/nobody/nothing?"]


def test_a_second_call_is_revalidated_by_etag(github: Callable[..., GitHub], replay: Replay) -> None:
    gh = github(cache=DictCache())
    first = gh.source.repo("openai/whisper")
    assert gh.tally.revalidated == 0
    assert gh.cache is not None and len(gh.cache.entries) == 2
    second = gh.source.repo("openai/whisper")
    assert second == first
    assert gh.tally.revalidated == 2, "the repository and its release both answered 304"
    assert gh.tally.requests == 4
    assert len(replay.hits("/github/")) == 4


def test_a_changed_repo_gets_a_new_etag_and_new_counts(github: Callable[..., GitHub], replay: Replay) -> None:
    gh = github(cache=DictCache())
    first = gh.source.repo("openai/whisper")
    assert first is not None and gh.cache is not None
    old_etag = gh.cache.entries[replay.github + "/repos/openai/whisper"].etag
    replay.patch(WHISPER_PATH, lambda b: {**b, "stargazers_count": b["stargazers_count"] + 500})
    second = gh.source.repo("openai/whisper")
    assert second is not None
    assert second.stars == first.stars + 500
    assert second.forks == first.forks
    assert gh.tally.revalidated == 1, "only the unchanged release answered 304"
    assert gh.cache.entries[replay.github + "/repos/openai/whisper"].etag != old_etag
    third = gh.source.repo("openai/whisper")
    assert third == second
    assert gh.tally.revalidated == 3


def test_github_truncated_json_is_a_data_error(github: Callable[..., GitHub], replay: Replay) -> None:
    replay.fail(WHISPER_PATH, Fault(truncate=True))
    with pytest.raises(SourceDataError) as caught:
        github().source.repo("openai/whisper")
    assert caught.value.url == replay.github + "/repos/openai/whisper"


def test_github_500_on_every_try_is_an_http_error(github: Callable[..., GitHub], replay: Replay) -> None:
    replay.fail(WHISPER_PATH, *[Fault(status=500, headers={"x-github-request-id": "ABCD:1"})] * 4)
    gh = github(Policy(interval=0, backoff=0.01, timeout=5, max_wait=5, retries=2))
    with pytest.raises(SourceHTTPError) as caught:
        gh.source.repo("openai/whisper")
    assert caught.value.http_status == 500
    assert caught.value.request_id == "ABCD:1"
    assert len(replay.hits(WHISPER_PATH)) == 3


def test_github_rate_limit_with_a_far_reset_is_a_source_limit(
    github: Callable[..., GitHub], replay: Replay
) -> None:
    reset = str(int(time.time()) + 3600)
    replay.fail(
        WHISPER_PATH, Fault(status=403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset})
    )
    source = github().source
    with pytest.raises(SourceLimit):
        source.repo("openai/whisper")
    with pytest.raises(SourceLimit, match="rate limit is spent"):
        source.repo("THUDM/ChatGLM-6B")
    assert replay.hits("/github/") == [WHISPER_PATH + "?"], "nothing more is asked until the reset"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/THUDM/ChatGLM-6B", "THUDM/ChatGLM-6B"),
        ("https://github.com/THUDM/ChatGLM-6B/", "THUDM/ChatGLM-6B"),
        ("https://github.com/THUDM/ChatGLM-6B/tree/main/x", "THUDM/ChatGLM-6B"),
        ("https://github.com/openai/whisper.git", "openai/whisper"),
        ("http://www.github.com/lm-sys/FastChat#readme", "lm-sys/FastChat"),
        ("  https://github.com/tatsu-lab/stanford_alpaca  ", "tatsu-lab/stanford_alpaca"),
        ("https://github.com/orgs/x", None),
        ("https://github.com/sponsors/someone", None),
        ("https://github.com/openai", None),
        ("https://gitlab.com/THUDM/ChatGLM-6B", None),
        ("https://huggingface.co/THUDM/chatglm-6b", None),
        ("https://notgithub.com/a/b", None),
    ],
)
def test_github_repo_parses_repository_urls(url: str, expected: str | None) -> None:
    assert github_repo(url) == expected


# --- arXiv -----------------------------------------------------------------------------------------


def entry_facts(entry: ET.Element) -> dict[str, Any]:
    def text(tag: str) -> str:
        found = entry.find(tag, ATOM)
        assert found is not None and found.text is not None
        return found.text

    return {
        "id": text("atom:id").rsplit("/abs/", 1)[1],
        "title": " ".join(text("atom:title").split()),
        "authors": tuple(
            name.text for name in entry.findall("atom:author/atom:name", ATOM) if name.text is not None
        ),
        "published": text("atom:published")[:10],
    }


def recorded_entry(name: str) -> dict[str, Any]:
    """The facts of ``arxiv/entries/<name>.xml`` (a bare ``<entry>``, namespaces given here)."""
    xml = (FIXTURES / "arxiv" / "entries" / f"{name}.xml").read_text(encoding="utf-8")
    wrapped = f'<feed xmlns="{ATOM["atom"]}" xmlns:arxiv="{ATOM["arxiv"]}">{xml}</feed>'
    entry = ET.fromstring(wrapped).find("atom:entry", ATOM)
    assert entry is not None
    return entry_facts(entry)


def recorded_feed(path: Path) -> list[dict[str, Any]]:
    return [entry_facts(entry) for entry in ET.parse(path).getroot().findall("atom:entry", ATOM)]


def summary(found: ArxivPaper) -> dict[str, Any]:
    version = f"v{found.version}" if found.version else ""
    return {
        "id": found.arxiv_id + version,
        "title": found.title,
        "authors": found.authors,
        "published": found.published,
    }


def test_papers_by_id_omit_the_unknown(arxiv_source: ArxivSource, replay: Replay) -> None:
    batches = list(arxiv_source.papers(["1706.03762", "2302.13971", "0000.0000"]))
    assert len(batches) == 1
    (found,) = batches
    assert list(found) == ["1706.03762", "2302.13971"]
    for arxiv_id, got in found.items():
        assert summary(got) == recorded_entry(arxiv_id)
    assert found["1706.03762"].title == "Attention Is All You Need"
    assert found["1706.03762"].version == 7
    assert len(replay.hits(ARXIV_PATH)) == 1


@pytest.mark.parametrize(
    ("arxiv_id", "file"),
    [
        ("1605.08386", "1605.08386"),
        ("1707.08567", "1707.08567"),
        ("2104.12255", "2104.12255"),
        ("quant-ph/0201082", "quant-ph_0201082"),
        ("astro-ph/0601001", "astro-ph_0601001"),
    ],
)
def test_real_recorded_entries_parse(arxiv_source: ArxivSource, arxiv_id: str, file: str) -> None:
    (found,) = list(arxiv_source.papers([arxiv_id]))
    got = found[arxiv_id]
    expected = recorded_entry(file)
    assert summary(got) == expected
    assert got.authors and got.title
    assert got.url == f"https://arxiv.org/abs/{arxiv_id}"


def test_a_real_entry_has_its_details(arxiv_source: ArxivSource) -> None:
    (found,) = list(arxiv_source.papers(["1605.08386"]))
    got = found["1605.08386"]
    assert got.authors == ("Caprice Stanley", "Tobias Windisch")
    assert got.published == "2016-05-26"
    assert got.updated == "2016-05-26"
    assert got.version == 1
    assert got.primary_category == "math.CO"
    assert got.categories == ("math.CO", "math.ST")
    assert got.summary.startswith("Graphs on lattice points are studied")


def test_more_than_a_hundred_ids_are_asked_in_batches(arxiv_source: ArxivSource, replay: Replay) -> None:
    ids = ["1706.03762", *(f"9999.{n:05d}" for n in range(100)), "2302.13971"]
    batches = list(arxiv_source.papers(ids))
    assert [list(batch) for batch in batches] == [["1706.03762"], ["2302.13971"]]
    assert len(replay.hits(ARXIV_PATH)) == 2


def test_search_pages_through_the_recorded_testing_feeds(arxiv_source: ArxivSource, replay: Replay) -> None:
    recorded = [
        entry
        for start in (0, 10, 20, 30)
        for entry in recorded_feed(FIXTURES / "arxiv" / "search" / f"testing-{start}.xml")
    ]
    found = arxiv_source.search("testing", 35)
    assert len(found) == 35
    assert [summary(p) for p in found] == recorded[:35]
    starts = [path.split("&start=")[1].split("&")[0] for path in replay.hits(ARXIV_PATH)]
    assert starts == ["0", "10", "20", "30"]
    assert all("search_query=testing" in path for path in replay.hits(ARXIV_PATH))


def test_search_with_a_ten_per_page_client(arxiv_source: ArxivSource, replay: Replay) -> None:
    arxiv_source.client.page_size = 10
    found = arxiv_source.search("testing", 35)
    assert len(found) == 35
    assert len({p.arxiv_id for p in found}) == 35
    hits = replay.hits(ARXIV_PATH)
    assert len(hits) == 4
    assert all("max_results=10" in path for path in hits)


def test_search_for_language_models(arxiv_source: ArxivSource) -> None:
    recorded = recorded_feed(FIXTURES / "arxiv" / "search" / "llm-0.xml")
    found = arxiv_source.search(LLM_QUERY, 10)
    assert len(found) == 6
    assert [summary(p) for p in found] == recorded
    assert found[3].title == "Mixtral of Experts"
    assert found[3].primary_category == "cs.LG"
    assert "cs.CL" in found[3].categories


@pytest.mark.parametrize(
    ("title", "model"),
    [
        ("DeepSeek-V3 Technical Report", "DeepSeek-V3"),
        ("Qwen2 Technical Report", "Qwen2"),
        ("Gemma: Open Models Based on Gemini Research and Technology", "Gemma"),
        ("Mixtral of Experts", "Mixtral"),
        ("Mistral 7B", "Mistral 7B"),
        ("A Survey of Large Language Models", None),
    ],
)
def test_introduced_model(arxiv_source: ArxivSource, title: str, model: str | None) -> None:
    (found,) = [p for p in arxiv_source.search(LLM_QUERY, 10) if p.title == title]
    assert introduced_model(found) == model


def test_arxiv_503_then_success(arxiv_source: ArxivSource, replay: Replay) -> None:
    replay.fail(ARXIV_PATH, Fault(status=503))
    (found,) = list(arxiv_source.papers(["1706.03762"]))
    assert found["1706.03762"].title == "Attention Is All You Need"
    assert len(replay.hits(ARXIV_PATH)) == 2


def test_arxiv_500_on_every_try_is_an_http_error(replay: Replay) -> None:
    replay.fail(ARXIV_PATH, *[Fault(status=500)] * 10)
    source = ArxivSource(policy=Policy(interval=0, backoff=0.01, timeout=5, retries=1), base_url=replay.arxiv)
    try:
        with pytest.raises(SourceHTTPError) as caught:
            list(source.papers(["1706.03762"]))
    finally:
        source.close()
    assert caught.value.http_status == 500
    assert caught.value.url.startswith(replay.arxiv)


def test_arxiv_budget_is_spent(replay: Replay) -> None:
    source = ArxivSource(policy=Policy(interval=0, backoff=0.01, timeout=5, budget=1), base_url=replay.arxiv)
    try:
        assert list(source.papers(["1706.03762"]))[0]
        with pytest.raises(SourceLimit, match="budget of 1"):
            list(source.papers(["2302.13971"]))
    finally:
        source.close()
    assert len(replay.hits(ARXIV_PATH)) == 1


def test_arxiv_truncated_feed_never_gives_an_incomplete_paper(
    arxiv_source: ArxivSource, replay: Replay, caplog: pytest.LogCaptureFixture
) -> None:
    ids = ["1706.03762", "2302.13971", "1605.08386"]
    (complete,) = list(arxiv_source.papers(ids))
    assert list(complete) == ids
    replay.log.clear()
    replay.fail(ARXIV_PATH, Fault(truncate=True))
    (found,) = list(arxiv_source.papers(ids))
    # the cut falls inside the second entry: the arxiv package skips it and asks again from there
    assert any("2302.13971" in record.getMessage() for record in caplog.records)
    assert len(replay.hits(ARXIV_PATH)) == 2
    assert "&start=1&" in replay.hits(ARXIV_PATH)[1]
    assert list(found) == ids
    for arxiv_id, got in found.items():
        assert got == complete[arxiv_id], f"{arxiv_id} differs from its complete entry"
        assert got.title and got.authors
