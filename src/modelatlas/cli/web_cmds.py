"""``serve``: the dashboard and the JSON API on a local address."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from modelatlas.cli._common import DbOpt, open_store, settings
from modelatlas.cli._output import stderr

__all__ = ["register"]


#: Seconds a worker may take to answer uvicorn's health check before it is restarted.
WORKER_PATIENCE = 60


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 0.0.0.0 shares it on the network.")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option("--workers", "-w", min=1, help="Server processes (one per CPU core serves the most)."),
    ] = 1,
    db: DbOpt = None,
) -> None:
    """Serve the dashboard (Chinese and English) and the read-only JSON API (/api/v1, /openapi.json).

    Examples:
      modelatlas serve
      modelatlas serve --host 0.0.0.0 --port 8080 --workers 4 --db postgresql://atlas@db/atlas
    """
    config = settings(db=db).model_copy(update={"warm": True})
    open_store(config).dispose()  # no store: a one-line error now, not a broken page later
    import uvicorn

    from modelatlas.web import create_app

    stderr().print(
        f"modelatlas dashboard on http://{host}:{port}/  (API: http://{host}:{port}/api/v1/models)",
        markup=False,
    )
    if workers == 1:
        uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
        return
    # Each worker process builds its own app from the environment, so pass the store along in it.
    os.environ["MODELATLAS_DB"] = config.db
    os.environ["MODELATLAS_WARM"] = "1"
    uvicorn.run(
        "modelatlas.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # uvicorn restarts a worker that does not answer its ping in 5 s; a worker computing a view
        # no build kept (the analysis table of a million models, read in tens of seconds under load)
        # answers late, and was killed and restarted over and over, computing it again each time
        timeout_worker_healthcheck=WORKER_PATIENCE,
    )
