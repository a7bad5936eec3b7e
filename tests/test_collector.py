"""modelatlas._collector: the collector paused for a job, and freed memory given back (issue 18)."""

from __future__ import annotations

import gc

import psutil

from modelatlas._collector import give_back, paused


def test_paused_turns_the_collector_back_on_only_if_it_was_on() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_give_back_returns_what_was_freed_to_the_system() -> None:
    """Ten thousand blocks of 4 KB each (as SQLite's pages) freed but for every hundredth stay in the C
    library's heap; ``give_back`` hands most of their 40 MB to the system."""
    me = psutil.Process()
    blocks = [bytes(4000 + i % 7) for i in range(10_000)]
    kept = blocks[::100]
    del blocks
    before = me.memory_info().rss
    give_back()
    assert before - me.memory_info().rss > 20 * 2**20
    assert len(kept) == 100
