"""_children: a forked child's messages reach its parent; what it raises is raised again, or named when
it cannot be pickled; a child that dies is an error of the caller's kind, with its exit code."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
from collections.abc import Generator, Iterator

import pytest

from modelatlas import _children
from modelatlas._children import Pipe, in_turns, may_fork, received, send_failure, start
from modelatlas.errors import ModelAtlasError, StoreError

DOING = "counting sheep"


def _sends(send: Pipe, *messages: object) -> None:
    for message in messages:
        send.send(message)
    send.close()


class _Unpicklable(Exception):
    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("not this one")


def _fails(send: Pipe, exc: BaseException) -> None:
    send_failure(send, exc, DOING, StoreError)
    send.close()


def _dies(send: Pipe, code: int) -> None:
    os._exit(code)


def test_messages_in_order_then_the_end_of_the_pipe() -> None:
    child, receive = start(_sends, {"a": 1}, None, 3)
    assert [received(child, receive, DOING, StoreError) for _ in range(3)] == [{"a": 1}, None, 3]
    with pytest.raises(StoreError, match=r"^the process counting sheep ended unexpectedly \(exit code 0\)$"):
        received(child, receive, DOING, StoreError)
    assert not child.is_alive()


def test_what_the_child_raises_is_raised_again() -> None:
    child, receive = start(_fails, KeyError("lost"))
    with pytest.raises(KeyError, match="lost"):
        received(child, receive, DOING, StoreError)
    child.join()


def test_an_exception_that_cannot_be_pickled_is_named() -> None:
    child, receive = start(_fails, _Unpicklable("woolly"))
    with pytest.raises(StoreError) as raised:
        received(child, receive, DOING, ModelAtlasError)
    assert str(raised.value) == "counting sheep failed: _Unpicklable: woolly"
    child.join()


def test_a_child_that_dies_is_an_error_of_the_callers_kind() -> None:
    child, receive = start(_dies, 7)
    with pytest.raises(ModelAtlasError) as raised:
        received(child, receive, DOING, ModelAtlasError)
    assert type(raised.value) is ModelAtlasError
    assert str(raised.value) == "the process counting sheep ended unexpectedly (exit code 7)"


def test_fork_only_beside_daemon_threads() -> None:
    """A progress bar's refresher (a daemon) lets the build fork; a worker thread does not."""
    assert may_fork()
    for daemon, expected in ((True, True), (False, False)):
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait, daemon=daemon)
        thread.start()
        try:
            assert may_fork() is expected
        finally:
            stop.set()
            thread.join()
    assert may_fork()


def _squares(batches: Iterator[list[int]]) -> Generator[tuple[int, list[int]], None, None]:
    for batch in batches:
        yield os.getpid(), [n * n for n in batch]


def _nothing(batches: Iterator[list[int]]) -> Generator[None, None, None]:
    for _ in batches:
        yield None


@pytest.mark.parametrize(
    ("count", "children", "ahead"), [(0, 2, 2), (1, 2, 2), (7, 3, 1), (10, 2, 2), (9, 2, 3)]
)
def test_in_turns_gives_the_results_in_the_batches_order(
    monkeypatch: pytest.MonkeyPatch, count: int, children: int, ahead: int
) -> None:
    """Batch ``i`` to child ``i % children``: the results in order, each child's turn kept, every child
    ended; as many batches as children or fewer, or none, too."""
    monkeypatch.setattr(_children, "may_fork", lambda: True)
    batches = iter([[i, i + 1] for i in range(count)])
    done = list(in_turns(_squares, batches, doing=DOING, error=StoreError, children=children, ahead=ahead))
    assert [squares for _, squares in done] == [[i * i, (i + 1) ** 2] for i in range(count)]
    pids = [pid for pid, _ in done]
    assert os.getpid() not in pids
    assert all(pids[i] == pids[i % children] for i in range(count))
    assert len(set(pids)) == min(count, children)
    assert multiprocessing.active_children() == []


def test_in_turns_passes_a_result_of_none_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_children, "may_fork", lambda: True)
    assert list(in_turns(_nothing, iter([[1]] * 5), doing=DOING, error=StoreError)) == [None] * 5


def test_in_turns_works_here_where_this_process_may_not_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_children, "may_fork", lambda: False)
    done = list(in_turns(_squares, iter([[2], [3]]), doing=DOING, error=StoreError))
    assert done == [(os.getpid(), [4]), (os.getpid(), [9])]


def test_in_turns_a_child_that_dies_is_an_error_of_the_callers_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_children, "may_fork", lambda: True)

    def dies(batches: Iterator[list[int]]) -> Generator[int, None, None]:
        for batch in batches:
            if batch == [3]:
                os._exit(9)
            yield batch[0]

    found = in_turns(dies, iter([[1], [2], [3], [4]]), doing=DOING, error=StoreError)
    assert [next(found), next(found)] == [1, 2]
    with pytest.raises(StoreError, match=r"counting sheep ended unexpectedly \(exit code 9\)"):
        next(found)
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_in_turns_pipes_hold_a_batch_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both pipes of each child hold ``PIPE_BYTES`` unread: a batch or result is written at once, not
    64 KiB each time the reading thread gets the GIL back (the children stood idle a third of the time)."""
    monkeypatch.setattr(_children, "may_fork", lambda: True)
    sizes: list[int] = []
    widen = _children._widen

    def measured(pipe: Pipe) -> None:
        widen(pipe)
        sizes.append(fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ))

    monkeypatch.setattr(_children, "_widen", measured)
    assert len(list(in_turns(_squares, iter([[1]] * 3), doing=DOING, error=StoreError))) == 3
    assert sizes == [_children.PIPE_BYTES] * 4
