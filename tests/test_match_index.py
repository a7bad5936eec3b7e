"""modelatlas.sources._match_index: the matcher's keys and each list's makers on disk (issue 18)."""

from __future__ import annotations

import sqlite3

import pytest

from modelatlas.sources import _disk, _match_index
from modelatlas.sources._match_index import KINDS, Listed, MatchIndex


def test_a_name_key_keeps_each_models_first_spelling() -> None:
    index = MatchIndex()
    index.add("llama", [("llama", "name", "LLaMA"), ("llama7b", "variant", "LLaMA-7B")], [])
    index.add("llama", [("llama", "alias", "Llama")], [])  # added again: the first spelling stays
    index.add("llama-2", [("llama", "alias", "LLaMA")], [])
    assert index.names("llama") == {"llama": ("name", "LLaMA"), "llama-2": ("alias", "LLaMA")}
    assert index.names("llama7b") == {"llama": ("variant", "LLaMA-7B")}
    assert index.names("llama2") == {} and index.names("") == {}


def test_each_kind_of_key_answers_for_itself() -> None:
    index = MatchIndex()
    index.add("a", [], [(kind, "shared") for kind in KINDS])
    index.add("b", [], [("hf", "shared"), ("code", "github.com/b/b")])
    assert index.models("hf", "shared") == {"a", "b"}
    assert index.models("arxiv", "shared") == {"a"} and index.models("stem", "shared") == {"a"}
    assert index.models("code", "github.com/b/b") == {"b"}
    assert index.models("arxiv", "github.com/b/b") == set()
    assert index.has("variant_repo", "shared") and not index.has("variant_repo", "github.com/b/b")
    assert index.names("shared") == {}  # a name is another table
    index.add("c", [("shared", "name", "Shared")], [])
    assert index.names("shared") == {"c": ("name", "Shared")} and index.models("hf", "shared") == {"a", "b"}


def test_only_names_the_one_model_with_a_key_and_reads_no_more_than_two() -> None:
    """``only``: the model when exactly one has the key, None when none or several do; a key cited by
    many models is ruled out from the first two rows, whatever their number."""
    index = MatchIndex()
    index.add("a", [], [("arxiv", "2302.13971"), ("code", "github.com/a/a")])
    assert index.only("arxiv", "2302.13971") == "a" and index.only("code", "github.com/a/a") == "a"
    assert index.only("hf", "2302.13971") is None and index.only("arxiv", "2302.00000") is None
    index.add("b", [], [("arxiv", "2302.13971")])
    assert index.only("arxiv", "2302.13971") is None and index.only("code", "github.com/a/a") == "a"
    for i in range(500):
        index.add(f"m{i}", [], [("arxiv", "2302.13971")])
    asked: list[str] = []
    index._db.set_trace_callback(asked.append)
    assert index.only("arxiv", "2302.13971") is None
    assert len(asked) == 1 and asked[0].endswith("LIMIT 2")
    assert index.models("arxiv", "2302.13971") == {"a", "b", *(f"m{i}" for i in range(500))}


def test_no_key_that_was_added_is_missed_by_the_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The filter says "no model" without asking the file; with 2^12 bits and 3,000 keys most bits are
    set, so it lets many absent keys through to the file, which answers them: never a key missed."""
    monkeypatch.setattr(_disk, "BITS", 1 << 12)
    index = MatchIndex()
    assert len(index._added._set) == 512
    for i in range(1000):
        index.add(f"m{i}", [(f"key{i}", "name", f"Key {i}")], [("arxiv", f"2301.{i:05d}"), ("code", f"c{i}")])
    assert all(index.names(f"key{i}") == {f"m{i}": ("name", f"Key {i}")} for i in range(1000))
    assert all(index.models("arxiv", f"2301.{i:05d}") == {f"m{i}"} for i in range(1000))
    assert all(index.names(f"absent{i}") == {} and not index.has("code", f"absent{i}") for i in range(1000))


def test_the_filter_answers_absent_keys_without_the_file() -> None:
    index = MatchIndex()
    index.add("m", [("key", "name", "Key")], [("hf", "org/repo")])
    asked: list[str] = []
    index._db.set_trace_callback(asked.append)  # every statement the file is asked
    assert index.names("other") == {} and index.models("hf", "org/other") == set()
    assert not index.has("variant_repo", "org/other") and index.only("hf", "org/other") is None
    assert asked == []
    assert index.names("key") == {"m": ("name", "Key")} and index.has("hf", "org/repo")
    assert len(asked) == 1  # has: the key waits to be written, and is answered from memory


def test_keys_wait_in_memory_and_are_answered_as_the_file_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write-behind: added keys wait until ``DUE`` have, then go in at once; every lookup in between
    answers as if each had gone in when added (the file's first spelling of a model's key kept, a key
    one model has on file and another in memory not one model's)."""
    monkeypatch.setattr(_match_index, "DUE", 6)
    index = MatchIndex()
    index.add("b", [("llama", "alias", "Llama")], [("arxiv", "2302.13971"), ("hf", "meta/llama")])
    index.add("a", [("llama", "name", "LLaMA")], [("code", "github.com/a/a")])
    assert index._db.execute("SELECT count(*) FROM keys").fetchone() == (0,)  # 5 waiting
    assert list(index.names("llama").items()) == [("a", ("name", "LLaMA")), ("b", ("alias", "Llama"))]
    assert index.only("arxiv", "2302.13971") == "b" and index.has("code", "github.com/a/a")
    index.add("a", [("llama", "alias", "LLAMA")], [("arxiv", "2302.13971")])  # 7: written
    assert index._db.execute("SELECT count(*) FROM keys").fetchone() == (4,)
    assert index._names_due == {} and index._keys_due == {}
    assert index.names("llama") == {"a": ("name", "LLaMA"), "b": ("alias", "Llama")}
    assert index.only("arxiv", "2302.13971") is None and index.models("arxiv", "2302.13971") == {"a", "b"}
    index.add("b", [("llama", "name", "LLaMA 2")], [("hf", "meta/llama"), ("hf", "other/llama")])
    assert index._db.execute("SELECT count(*) FROM keys").fetchone() == (4,)  # waiting again
    assert index.names("llama") == {"a": ("name", "LLaMA"), "b": ("alias", "Llama")}  # the file's first
    assert index.only("hf", "meta/llama") == "b" and index.only("hf", "other/llama") == "b"
    index.add("c", [], [("hf", "meta/llama")])
    assert index.only("hf", "meta/llama") is None and index.models("hf", "meta/llama") == {"b", "c"}
    assert index.only("code", "github.com/a/a") == "a" and not index.has("code", "github.com/c/c")


def test_listed_makers_by_list_model_and_name() -> None:
    listed = Listed()
    assert listed.get("list.md", "xinghan", "星汉") == ()
    listed.put("list.md", "xinghan", "星汉", ("大汉软件",))
    listed.put("list.md", "xinghan", "星汉", ("大汉软件", "大华股份"))  # replaced, in the order given
    listed.put("other.md", "xinghan", "星汉", ("x y", "z"))
    assert listed.get("list.md", "xinghan", "星汉") == ("大汉软件", "大华股份")
    assert listed.get("other.md", "xinghan", "星汉") == ("x y", "z")
    assert listed.get("list.md", "xinghan", "xinghan") == () and listed.get("list.md", "other", "星汉") == ()


def test_listed_puts_wait_then_go_in_the_last_of_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_match_index, "DUE", 2)
    listed = Listed()
    listed.put("list.md", "a", "a", ("x",))
    listed.put("list.md", "a", "a", ("x", "y"))  # one place: still one waiting
    assert listed._db.execute("SELECT count(*) FROM listed").fetchone() == (0,)
    assert listed.get("list.md", "a", "a") == ("x", "y")
    listed.put("list.md", "b", "b", ("z",))
    assert listed._db.execute("SELECT * FROM listed ORDER BY model").fetchall() == [
        ("list.md", "a", "a", "x\ny"),
        ("list.md", "b", "b", "z"),
    ]
    assert listed._due == {}  # what went in is not held too
    listed.put("list.md", "a", "a", ("w",))  # waiting: answered before the file's
    assert listed.get("list.md", "a", "a") == ("w",) and listed.get("list.md", "b", "b") == ("z",)


def test_a_closed_index_lets_its_filter_go_and_answers_nothing() -> None:
    """A merge closes its index before the build (``Merger.close_matching``): the filter's 16 MiB are let
    go, and a lookup of a key it had fails on the closed file instead of answering "no model"."""
    index = MatchIndex()
    index.add("llama", [("llama", "name", "LLaMA")], [("hf", "meta/llama")])
    assert len(index._added._set) == _disk.BITS // 8
    index.close()
    assert len(index._added._set) == 1
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        index.names("llama")
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        index.models("hf", "meta/llama")
