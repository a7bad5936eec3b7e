"""The default views of a SQLite build, computed in one child forked as soon as its rows are in.

The child computes the views the analysis table gives while the build makes its indexes, then, told the
indexes are made (``Early.kept``), those read from the store's tables, and keeps them all in the file
itself; it sends back how many. So the build's process never loads what the views are computed with
(pandas, networkx, altair, the web layer: 88 MB of a 200,000-row import's process, which it held to its
end), nor holds the views (received and written by it, 10 MB more at its peak at a million models);
the child imports them (``web.refresh``).

The child reads the file the build is writing, which the build puts in WAL mode first
(``store.journal``): the child's long read of the analysis table does not hold off the indexes' writes.
Where it still must, each waits for the other's lock as long as it takes. The build forks it only where
this process may fork (``_children.may_fork``); elsewhere ``web.refresh.refresh`` computes every view.
"""

from __future__ import annotations

import multiprocessing
from typing import Any, cast

from sqlalchemy import event

from modelatlas._children import Pipe, ended, own_streams, received, send_failure, start
from modelatlas.errors import ModelAtlasError
from modelatlas.store.engine import PATIENCE_MS, make_engine

__all__ = ["DOING", "Early"]

#: What the child is doing, for the errors that say it failed.
DOING = "computing default views"


class Early:
    """The child computing the default views of the store at ``url``, and the pipes to and from it."""

    def __init__(self, url: str) -> None:
        told, self._tell = multiprocessing.get_context("fork").Pipe(duplex=False)
        self.process, self.receive = start(_serve, url, told, self._tell)
        told.close()  # the child's end

    def kept(self) -> int:
        """Tell the child the store's indexes are made; how many views it then kept in the store,
        replacing the previous build's (``stored_views.keep``: none if the store was rebuilt meanwhile).

        Raises:
            ModelAtlasError: the child ended without saying (killed: out of memory?).
            BaseException: what the child raised computing or keeping them.
        """
        self._tell.send(True)
        return cast(int, received(self.process, self.receive, DOING, ModelAtlasError))

    def end(self) -> None:
        """Wait for the child to exit (ending it first if it is still at work: the caller failed)."""
        self._tell.close()  # a child still waiting to be told stops at once
        ended(self.process, self.receive)


def _serve(send: Pipe, url: str, told: Pipe, tell: Pipe) -> None:
    """In the child: the views computed (the store's once ``told`` the indexes are made) and kept in the
    store, how many sent down ``send``; or what went wrong. ``tell`` is the parent's end of ``told``,
    closed here: with this copy of it open, a parent that fails before its indexes would leave the child
    waiting."""
    tell.close()
    own_streams()
    try:
        from modelatlas.web import stored_views
        from modelatlas.web.refresh import early_views  # the analyses' libraries: imported here only

        engine = make_engine(url)
        event.listen(engine, "connect", _patient)
        try:
            found = early_views(engine, url, told.recv)
            send.send(stored_views.keep(engine, lambda: found))
        finally:
            engine.dispose()
    except EOFError:  # the build failed before its indexes were made, and closed its end
        pass
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        send_failure(send, exc, DOING, ModelAtlasError)
    finally:
        send.close()


def _patient(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA busy_timeout={PATIENCE_MS}")
