"""modelatlas.sources._disk: what an import looks up by key, on disk (issue 18)."""

from __future__ import annotations

import random

import pytest

from modelatlas.sources import _disk
from modelatlas.sources._disk import Bloom, FirstSeen


def test_a_bloom_filter_never_misses_a_key_added() -> None:
    rng = random.Random(18)
    for _ in range(50):
        added = {"".join(rng.choices("abcé模型-1 ", k=rng.randint(0, 12))) for _ in range(300)}
        bloom = Bloom(1 << 10)  # 1,024 bits for 300 keys: many false positives, never a miss
        for key in added:
            bloom.add(key)
        assert all(key in bloom for key in added)
        assert len(bloom._set) == 128


def test_a_bloom_filter_with_room_says_no_to_most_keys_not_added() -> None:
    bloom = Bloom(1 << 16)
    for i in range(1000):
        bloom.add(("name", f"key{i}"))
    assert all(("name", f"key{i}") in bloom for i in range(1000))
    wrong = sum(("name", f"other{i}") in bloom for i in range(10_000))
    assert wrong < 50  # about (1 - e^(-2000/65536))^2 = 0.09 %: 9 of 10,000
    assert ("code", "key1") not in bloom or ("code", "key2") not in bloom  # the kind is part of the key


def test_first_seen_keeps_the_first_line_and_spelling() -> None:
    seen = FirstSeen()
    assert seen.get("gpt4") is None
    seen.add("gpt4", 3, "GPT-4")
    seen.add("gpt4", 9, "GPT 4")
    seen.add("llama", 5, "LLaMA")
    assert seen.get("gpt4") == (3, "GPT-4") and seen.get("llama") == (5, "LLaMA")
    assert seen.get("gpt-4") is None and seen.get("") is None


def test_first_seen_writes_behind_and_the_file_keeps_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_disk, "DUE", 2)
    seen = FirstSeen()
    seen.add("gpt4", 3, "GPT-4")
    assert seen._db.execute("SELECT count(*) FROM seen").fetchone() == (0,) and seen.get("gpt4") == (
        3,
        "GPT-4",
    )
    seen.add("llama", 5, "LLaMA")  # two waiting: written
    assert seen._db.execute("SELECT * FROM seen ORDER BY key").fetchall() == [
        ("gpt4", 3, "GPT-4"),
        ("llama", 5, "LLaMA"),
    ]
    assert seen._due == {}  # what went in is not held too
    seen.add("gpt4", 9, "GPT 4")  # waiting, but the file's line is the first
    assert seen.get("gpt4") == (3, "GPT-4") and seen.get("llama") == (5, "LLaMA")
    seen.add("bert", 11, "BERT")
    assert seen.get("gpt4") == (3, "GPT-4") and seen.get("bert") == (11, "BERT")
    seen.add("t5", 12, "T5")
    seen.add("t5", 13, "T-5")  # both waiting: the first kept
    assert seen.get("t5") == (12, "T5")


def test_a_key_the_filter_lets_through_is_looked_up() -> None:
    """With a filter of 8 bits that says yes to nearly everything, the file answers."""
    seen = FirstSeen()
    seen._added = Bloom(8)
    for i in range(200):  # every bit set: (7/8)^400 that one is not
        seen.add(f"k{i}", i, f"K {i}")
    assert all(f"absent{i}" in seen._added for i in range(5))
    assert [seen.get(f"absent{i}") for i in range(5)] == [None] * 5 and seen.get("k3") == (3, "K 3")
