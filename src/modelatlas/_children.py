"""Child processes forked to share a job's work, each sending its results down a pipe.

A build makes its rows in children (``store.chunks``) and computes its kept views in two
(``web.refresh``), and an Epoch import converts its records in two (``sources.importers.epoch``):
forked, a child reads what its parent holds without copying it. This module is what they need: whether
this process may fork (``may_fork``), a child started with the sending end of its pipe (``start``), its
next message taken, or what it raised raised again (``received``), and, in the child, a failure handed
back (``send_failure``) and standard streams of its own (``own_streams``); and a function mapped over a
stream of batches in children taking turns, the results in the batches' order (``in_turns``).
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import queue
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from typing import Any

from modelatlas.errors import ModelAtlasError

__all__ = [
    "Failure",
    "Pipe",
    "Turn",
    "batched",
    "ended",
    "given_batches",
    "in_turns",
    "may_fork",
    "own_streams",
    "received",
    "send_failure",
    "start",
]

#: What a child's failure is raised as, made from what happened: an error type taking a message
#: (``StoreError``), or one bound to the input it was reading (``partial(InputError, path, 0)``).
Failure = Callable[[str], ModelAtlasError]


def may_fork() -> bool:
    """Whether this process may fork a child: the system has ``fork``, and every other thread is a
    daemon thread (as a progress bar's refresher is: ``rich``'s). A child of a process with threads has
    only the thread that forked it, and may find a lock taken that no one will let go; the children here
    only compute and write to their pipes (and, on a warning, to their own standard streams:
    ``own_streams``), so a daemon that draws a bar cannot block them. A worker thread that may hold any
    lock (a thread pool's, a server's) keeps the work in this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    me = threading.current_thread()
    return all(thread is me or thread.daemon for thread in threading.enumerate())


def start(target: Callable[..., None], *args: Any) -> tuple[BaseProcess, Pipe]:
    """Fork a daemon child that runs ``target(send, *args)``, ``send`` the sending end of its pipe;
    the child and the receiving end. This process closes its copy of ``send``, so the pipe ends (and
    ``received`` says so) when the child does."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(send, *args), daemon=True)
    child.start()
    send.close()
    return child, receive


def received(child: BaseProcess, receive: Pipe, doing: str, error: Failure) -> Any:
    """The next message of ``child``, which is ``doing`` something (``"making the store's rows"``).

    Raises:
        ModelAtlasError: ``error``'s: the child ended without sending it (killed: out of memory?).
        BaseException: what the child raised, sent by ``send_failure``.
    """
    try:
        message = receive.recv()
    except EOFError:
        child.join()
        raise error(f"the process {doing} ended unexpectedly (exit code {child.exitcode})") from None
    if isinstance(message, BaseException):
        raise message
    return message


def ended(child: BaseProcess, receive: Pipe, patience: float = 60) -> None:
    """Close ``receive`` and wait for ``child`` to exit, ending it if it is still at work after
    ``patience`` seconds (its parent failed: what it would send is not wanted)."""
    receive.close()
    if child.is_alive():
        child.join(timeout=patience)
    if child.is_alive():
        child.terminate()
        child.join()


def send_failure(send: Pipe, exc: BaseException, doing: str, error: Failure) -> None:
    """In a child: send its parent ``exc``, or, when it cannot be pickled, an ``error`` saying what it
    was, for ``received`` to raise."""
    try:
        send.send(exc)
    except Exception:  # noqa: BLE001 - not picklable: say what it was
        send.send(error(f"{doing} failed: {type(exc).__name__}: {exc}"))


def own_streams() -> None:
    """In a child: standard output and error of its own, on the same files, since another thread of the
    parent may have held the inherited ones' locks when it forked."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        with contextlib.suppress(OSError):
            setattr(sys, name, open(fd, "w", closefd=False, buffering=1))  # noqa: SIM115 - kept as sys's


#: ``in_turns``'s work: a child's batches, in its turn's order, to one result each.
Work = Callable[[Iterator[Any]], Generator[Any, None, None]]


def in_turns(
    work: Work,
    batches: Iterator[Any],
    *,
    doing: str,
    error: Failure,
    children: int = 2,
    ahead: int = 2,
) -> Generator[Any, None, None]:
    """``work`` over ``batches`` in ``children`` forked processes taking turns: batch ``i`` goes to child
    ``i % children``, ``ahead`` batches ahead of the one taken back, and each child gives one result a
    batch, so the results come in the batches' order. The batches are read here (a file can be read once,
    in order), the work is done there. Where this process may not fork (``may_fork``), ``work`` runs here.

    Raises:
        ModelAtlasError: ``error``'s: a child ended without sending a result (killed?).
        BaseException: what ``work`` raised in a child.
    """
    if not may_fork():
        yield from work(batches)
        return
    turns: list[Turn] = []
    try:
        for _ in range(children):
            turns.append(Turn.started(_take_turns, work, doing, error))
        for _ in range(ahead):
            for turn in turns:
                turn.give(next(batches, None))
        at = 0
        while (result := received(turns[at].child, turns[at].receive, doing, error)) is not None:
            turns[at].give(next(batches, None))
            yield result[0]
            at = (at + 1) % children
        for turn in turns:
            turn.child.join()
    finally:
        for turn in turns:
            turn.end()


#: What a pipe of ``in_turns`` holds unread (Linux's most, unless raised): a batch or a result of up to
#: this size is written at once, not 64 KiB at a time as the reader's thread gets the GIL back from
#: the one working (5 ms each: the children stood idle a third of the time).
PIPE_BYTES = 1 << 20


def _widen(pipe: Pipe) -> None:
    """Let ``pipe`` hold ``PIPE_BYTES`` unread, where the system allows it (Linux)."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined,unused-ignore]


@dataclass(slots=True)
class Turn:
    """A child that takes batches down one pipe (``give``) and sends what it makes of them up another
    (``receive``): ``in_turns``'s, and a build's decoding children (``store.chunks``)."""

    child: BaseProcess
    receive: Pipe
    send: Pipe
    #: Sent None, or ended: nothing more is sent.
    done: bool = False

    @classmethod
    def started(cls, target: Callable[..., None], *args: Any) -> Turn:
        """Fork a child running ``target(send, receive, *args)``: ``receive`` the end its batches come
        down (``given_batches``), ``send`` its results' (``start``); both pipes widened (``PIPE_BYTES``)."""
        child_receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
        child, receive = start(target, child_receive, *args)
        child_receive.close()  # only the child reads it: sending fails once the child has ended
        for pipe in (send, receive):
            _widen(pipe)
        return cls(child, receive, send)

    def give(self, batch: Any) -> None:
        """Send the child ``batch``, or None (once: the child then ends); nothing once done (if it has
        ended, what it sent last says why)."""
        if self.done:
            return
        self.done = batch is None
        try:
            self.send.send(batch)
        except BrokenPipeError:
            self.done = True

    def end(self) -> None:
        """Close the pipes and see the child ended (at once: its work is no longer wanted)."""
        self.send.close()
        ended(self.child, self.receive, patience=0)


def given_batches(receive: Pipe) -> Iterator[Any]:
    """In a child of ``Turn``: the batches it is given, until None or the pipe's end. A thread takes
    them as they come, so that the parent never waits to send one while the child waits for it to take
    a result."""
    taken: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def take() -> None:
        with contextlib.suppress(EOFError):
            while (batch := receive.recv()) is not None:
                taken.put(batch)
        taken.put(None)

    threading.Thread(target=take, daemon=True).start()
    return iter(taken.get, None)


def _take_turns(send: Pipe, receive: Pipe, work: Work, doing: str, error: Failure) -> None:
    """In a child of ``in_turns``: send ``(result,)`` for each batch received, until None, then None."""
    own_streams()
    try:
        for result in work(given_batches(receive)):
            send.send((result,))
        send.send(None)
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        send_failure(send, exc, doing, error)
    finally:
        send.close()


def batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last maybe fewer)."""
    while batch := list(islice(items, size)):
        yield batch
