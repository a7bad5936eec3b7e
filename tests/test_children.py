"""_children: a forked child's messages reach its parent; what it raises is raised again, or named when
it cannot be pickled; a child that dies is an error of the caller's kind, with its exit code."""

from __future__ import annotations

import os
import threading

import pytest

from modelatlas._children import Pipe, may_fork, received, send_failure, start
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
