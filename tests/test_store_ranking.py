"""modelatlas.store.ranking: each match of a name against a query, both ways, and the order of hits."""

from __future__ import annotations

import datetime as dt

import pytest

from modelatlas.catalog.names import name_key, name_words
from modelatlas.store import ranking as R


def score(query: str, name: str) -> float | None:
    return R.name_score(name_words(query), name_key(query), name_words(name), name_key(name))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("P-LLama3", ["p", "llama", "3"]),
        ("Llama-3.1-8B", ["llama", "3.1", "8", "b"]),
        ("通义千问 Qwen2", ["通", "义", "千", "问", "qwen", "2"]),
        ("PanGu-Σ", ["pangu", "sigma"]),
        ("ЯндексGPT 5 Lite", ["яндексgpt", "5", "lite"]),
        ("v1.5.", ["v", "1.5"]),
        ("Qwen3-235B-A22B", ["qwen", "3", "235", "b", "a", "22", "b"]),
        ("Café-2", ["cafe", "2"]),
    ],
)
def test_name_words(name: str, words: list[str]) -> None:
    assert name_words(name) == words


def test_words_joined_are_the_key_but_for_other_scripts() -> None:
    for name in ["P-LLama3", "Llama-3.1-8B", "通义千问 Qwen2", "PanGu-Σ", "Cerebras-GPT-1.3B", "紫东·太初"]:
        assert "".join(name_words(name)) == name_key(name), name
    assert "".join(name_words("ЯндексGPT 5")) == "яндексgpt5" != name_key("ЯндексGPT 5") == "gpt5"


NAME_SCORES = pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        # exact: the folded key, whatever the spelling
        ("llama 3", "LLaMA-3", R.EXACT),
        ("llama3", "Llama 3", R.EXACT),
        ("混元", "混元", R.EXACT),
        # a version or sizes after the query's words
        ("llama 3", "Llama 3.1", R.VERSION),
        ("llama 3", "Llama-3.2-1B", R.VERSION),
        ("llama 3", "Llama 3 70B", R.VERSION),
        ("llama 3 taiwan", "Llama-3-Taiwan-70B", R.VERSION),
        ("qwen", "Qwen2.5", R.VERSION),
        ("qwen", "Qwen3-235B-A22B", R.VERSION),
        ("mixtral", "Mixtral 8x22B", R.VERSION),
        ("whisper", "Whisper V3", R.VERSION),
        ("gpt", "GPT-4", R.VERSION),
        ("混元", "混元-A13B", R.VERSION),
        ("qwen 3", "Qwen3-30B-A3B", R.VERSION),  # a one-digit active count
        ("mixtral", "Mixtral-8x7B", R.VERSION),  # one-digit experts
        ("qwen", "Qwen2.5-7B", R.VERSION),  # a version, then a size
        # begins with the query's words, something else after
        ("llama 3", "Llama-3-Taiwan-70B", R.BEGINS),
        ("llama 3", "Llama 3.1 Nemotron", R.BEGINS),
        ("qwen", "Qwen2.5 Instruct (72B)", R.BEGINS),
        ("gpt", "GPT-4o", R.BEGINS),
        ("混元", "混元视频", R.BEGINS),
        ("llama 3", "Llama-3-70B-Instruct", R.BEGINS),  # a size, then a word
        ("qwen 3", "Qwen3-235B-A22B-Instruct", R.BEGINS),  # an active count, then a word
        ("mixtral", "Mixtral-8x7B-Instruct", R.BEGINS),  # experts, then a word
        # the query's words inside, whole
        ("llama 3", "Hermes 2 Theta Llama-3 70B", R.WORDS),
        ("llama 3", "P-LLama3", R.WORDS),
        ("theta llama 3", "Hermes 2 Theta Llama-3 70B", R.WORDS),  # every word checked in place
        ("hermes 3 theta", "Hermes 2 Theta Llama-3 70B", None),
        ("r1", "DeepSeek-R1", R.WORDS),
        ("r1", "DeepSeek-R1-0528", R.WORDS),
        ("千问", "通义千问", R.WORDS),
        ("千问", "通义千问 Qwen2", R.WORDS),
        # the query's letters at the start, not on a word's bounds
        ("llama 3", "LLaMA-33B", R.LETTERS),
        ("qwe", "Qwen", R.LETTERS),
        ("gpt 5", "GPT-50", R.LETTERS),
        ("gpt 5", "ЯндексGPT 5 Lite", R.LETTERS),  # the key leaves Яндекс out, the words do not
        # the letters anywhere
        ("r1", "Lyra-Fr 10B", R.INSIDE),
        ("r1", "Solar-10.7B", R.INSIDE),
        ("llama 3", "CodeLlama-34B", R.INSIDE),
        # not at all
        ("llama 3", "Llama 2", None),
        ("r1", "DeepSeek-V3", None),
        ("llama 3", "Code Lab Model X", None),  # a later word with the query's first letter is not enough
        ("", "Llama", None),
    ],
)


@NAME_SCORES
def test_name_score(query: str, name: str, expected: float | None) -> None:
    assert score(query, name) == expected


def scorer_score(query: str, name: str) -> float | None:
    return R.name_scorer(name_words(query), name_key(query))(name, name_key(name))


@NAME_SCORES
def test_name_scorer_scores_as_name_score(query: str, name: str, expected: float | None) -> None:
    assert scorer_score(query, name) == score(query, name) == expected


SCORER_CASES = pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        # the words found in the lowered name: split into words, scored by them
        ("v12", "bioemu-350m-v12", R.WORDS),
        ("v 12", "Bioemu-350M-V12", R.WORDS),
        ("qw", "Foo_QW-2", R.WORDS),
        ("12", "x12", R.WORDS),  # a number after letters is a word of its own
        ("qwen", "qwen-7b", R.VERSION),
        ("llama cpp", "llama--cpp", R.EXACT),
        ("llama cpp", "llama--cpp 2", R.VERSION),
        # not found: the key decides
        ("v12", "pixtral-350m-v120", R.INSIDE),
        ("v12", "v120", R.LETTERS),
        ("qw", "Qwen-350M", R.LETTERS),
        ("qw", "aqw 7b", R.INSIDE),
        ("12", "v120", R.INSIDE),
        ("llama cpp", "llamacpp x", R.LETTERS),
        # folding more than lowering: a dot between letters goes, + is plus; other scripts
        ("qw", "Q.W-7B", R.VERSION),
        ("qw", "x-q.w", R.WORDS),
        ("gptplus", "GPT+ 2", R.VERSION),
        ("gpt plus", "a GPT +", R.WORDS),
        ("qwen", "通义千问 Qwen2", R.WORDS),
        ("qwen", "Qwén-2", R.VERSION),  # not ASCII: the accent folded away
        ("千问", "通义千问", R.WORDS),
        ("3", "Llama 3.1", R.WORDS),  # a version begun by the number needs its dot
        # from the start: a version and sizes after the words, or something else
        ("llama", "Llama-7B", R.VERSION),
        ("llama", "llama_v2-7b", R.VERSION),
        ("llama", "(Llama) 2 chat", R.BEGINS),
        ("v 12", "V12-x", R.BEGINS),
        ("llama", "7 Llama", R.WORDS),  # a number before is a word before
        ("llama", "3llama-x", R.WORDS),
        ("12 b", "x 12b", R.WORDS),
        ("llama cpp", "llamacpp x", R.LETTERS),  # two runs of letters are apart
        ("llama 3", "llama3 8x7b", R.VERSION),  # letters then digits need not be
    ],
)


@SCORER_CASES
def test_name_scorer_splits_only_names_that_can_have_the_words(
    query: str, name: str, expected: float | None
) -> None:
    assert scorer_score(query, name) == score(query, name) == expected


def test_name_scorer_scores_every_name_for_every_query_as_name_score() -> None:
    cases = [*NAME_SCORES.args[1], *SCORER_CASES.args[1]]
    queries = {query for query, _, _ in cases} | {"llama 3 70b", "qwen 3 a 22 b", "b", "7", "2 chat", "x"}
    names = {name for _, name, _ in cases} | {"Llama 3 chat", "LLAMA-3-70B", "Llama-3-70b-v2", "llama3-x"}
    for query in sorted(queries):
        scorer = R.name_scorer(name_words(query), name_key(query))
        for name in sorted(names):
            assert scorer(name, name_key(name)) == score(query, name), (query, name)


def test_name_scorer_keeps_apart_names_of_one_key_split_differently() -> None:
    """A name with letters beyond ASCII is scored once per spelling, not per key: ``Llama-Über`` has the
    word ``über`` inside (85), ``LlamaÜber``, of the same key, only the letters (70), in either order."""
    for order in (["Llama-Über", "LlamaÜber"], ["LlamaÜber", "Llama-Über"]):
        scorer = R.name_scorer(name_words("über"), name_key("über"))
        found = {name: scorer(name, name_key(name)) for name in order}
        assert found == {"Llama-Über": R.WORDS, "LlamaÜber": R.INSIDE}


def test_a_number_begins_only_its_own_versions() -> None:
    """``3`` is the start of ``3.1`` and ``3.10``, not of ``33`` or ``13``; and only as the last word."""
    assert score("llama 3", "Llama 3.10") == R.VERSION
    assert score("llama 3", "Llama 33") == R.LETTERS
    assert score("llama 3", "Llama 13") is None
    assert score("3 llama", "3.1 Llama") is None  # not the last word: whole or nothing
    assert score("3 llama", "3 Llama 2") == R.VERSION
    assert score("gpt 4", "GPT-4.5 Turbo") == R.BEGINS


def test_the_scores_are_ordered_and_near_spellings_between_letters_and_summaries() -> None:
    assert R.EXACT > R.VERSION > R.BEGINS > R.WORDS > R.ORGANIZATION > R.LETTERS > R.INSIDE
    assert R.INSIDE > R.near_score(100) == 60.0 > R.near_score(75) == 45.0 > R.SUMMARY == 40.0


def test_hits_rank_by_score_then_newest_then_undated_then_name() -> None:
    hits = [
        (R.WORDS, None, "P-LLama3", "p-llama3"),
        (R.WORDS, dt.date(2024, 6, 20), "Hermes 2 Theta Llama-3 70B", "hermes"),
        (R.VERSION, dt.date(2024, 7, 23), "Llama 3.1", "llama-3.1"),
        (R.VERSION, dt.date(2024, 12, 6), "Llama 3.3", "llama-3.3"),
        (R.WORDS, dt.date(2024, 6, 20), "alpha", "b"),
        (R.WORDS, dt.date(2024, 6, 20), "alpha", "a"),
        (R.EXACT, None, "Llama 3", "llama-3"),
    ]
    ordered = sorted(hits, key=lambda hit: R.hit_order(*hit))
    assert [hit[3] for hit in ordered] == [
        "llama-3",
        "llama-3.3",
        "llama-3.1",
        "a",
        "b",
        "hermes",
        "p-llama3",
    ]
