"""modelatlas.sources._disk: what an import looks up by key, on disk (issue 18)."""

from __future__ import annotations

import random

import pytest

from modelatlas.sources import _disk
from modelatlas.sources._disk import Bloom, FirstSeen, IdMap, IdSet


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


def test_an_id_set_is_a_set_in_the_order_first_added(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_disk, "_BATCH", 2)
    ids = IdSet()
    for item in ("b", "a", "c", "a", "d"):
        ids.add(item)
    assert len(ids) == 4 and list(ids) == ["b", "a", "c", "d"]
    assert ids == {"a", "b", "c", "d"} and "a" in ids and "e" not in ids and 1 not in ids
    ids.discard("a")
    ids.discard("e")
    assert len(ids) == 3 and list(ids) == ["b", "c", "d"] and "a" not in ids
    ids.add("a")
    assert list(ids) == ["b", "c", "d", "a"]


def test_an_id_map_is_a_mapping_in_the_order_first_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_disk, "_BATCH", 2)
    made = IdMap()
    made["x"], made["y"], made["z"] = "epoch:a.csv", "bundled:hf", "epoch:a.csv"
    made["x"] = "epoch:b.csv"  # set again: keeps its place
    assert len(made) == 3 and list(made) == ["x", "y", "z"]
    assert list(made.values()) == ["epoch:b.csv", "bundled:hf", "epoch:a.csv"]
    assert dict(made) == {"x": "epoch:b.csv", "y": "bundled:hf", "z": "epoch:a.csv"}
    assert made.get("w") is None and "w" not in made
    del made["y"]
    with pytest.raises(KeyError):
        del made["y"]
    with pytest.raises(KeyError):
        made["y"]
    assert list(made.items()) == [("x", "epoch:b.csv"), ("z", "epoch:a.csv")] and len(made) == 2


def test_a_key_the_filter_lets_through_is_looked_up() -> None:
    """With a filter of 8 bits that says yes to nearly everything, the file answers."""
    seen, ids, made = FirstSeen(), IdSet(), IdMap()
    for holder in (seen, ids, made):
        holder._added = Bloom(8)
    for i in range(200):  # every bit set: (7/8)^400 that one is not
        seen.add(f"k{i}", i, f"K {i}")
        ids.add(f"k{i}")
        made[f"k{i}"] = "x"
    assert all(f"absent{i}" in seen._added for i in range(5))
    assert [seen.get(f"absent{i}") for i in range(5)] == [None] * 5 and seen.get("k3") == (3, "K 3")
    assert not any(f"absent{i}" in ids or f"absent{i}" in made for i in range(5))
    assert "k3" in ids and made["k3"] == "x" and len(ids) == len(made) == 200
