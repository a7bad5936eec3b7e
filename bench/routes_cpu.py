"""The CPU each route costs per request, in-process, on a warmed app: steadier than ``bench/scale.py``'s
wall times when other work shares the machine.

The app is made for the store, warmed as ``serve`` warms it (``web.app._warm``), and asked each route
``--rounds`` times through ``TestClient``, ``{n}`` = 1, 2, 3… as ``bench/scale.py`` asks it (so a
``{n}`` route asks something new each time, and its first request is each worker's first computation).
Printed per route: this process's CPU time (user + system) per request, mean, median and max, and the
wall time's median and max, and the SQL statements a request sends (median, max: the round trips to
the database, counted by SQLAlchemy's ``before_cursor_execute``); the CPU times of every request with
``--each``.

    .venv/bin/python bench/routes_cpu.py --db /tmp/ps-100k.db [--rounds 30] [--routes '/models?q=v1{n}']
    .venv/bin/python bench/routes_cpu.py --url postgresql+psycopg://…/atlas_100k  # PostgreSQL

On PostgreSQL the server's work is in its own processes: this process's CPU is the Python side (the
worker's), the wall time adds the server's (and the machine's load).

Another commit's code on the same store: ``git archive <commit> src | tar -x -C /tmp/old``, then
``PYTHONPATH=/tmp/old/src`` before the same command.
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event

from modelatlas.config import Settings
from modelatlas.web.app import _warm, create_app

#: The routes of issue 18 that missed its target at 100,000 models on SQLite (``bench/scale.py``'s).
ROUTES = (
    "/hardware",
    "/models?domain=nlp&offset={n}",
    "/models?q=v1{n}",
    "/api/v1/models?q=v1{n}&domain=nlp",
    "/api/v1/models?min_params={n}000000&sort=parameters",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    store = parser.add_mutually_exclusive_group(required=True)
    store.add_argument("--db", help="The SQLite store (built by bench/synthetic.py).")
    store.add_argument(
        "--url", help="A store's database URL instead (PostgreSQL: bench/scale.py's atlas_<N>k)."
    )
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--routes", default=",".join(ROUTES), help="Comma-separated.")
    parser.add_argument("--each", action="store_true", help="Also print each request's CPU time.")
    parser.add_argument(
        "--server-pid",
        type=int,
        default=None,
        help="PostgreSQL's postmaster (first line of PGDATA/postmaster.pid): also its processes' CPU.",
    )
    args = parser.parse_args()
    settings = Settings(db=args.url or f"sqlite:///{args.db}")
    app = create_app(settings)
    started = time.process_time()
    if len(inspect.signature(_warm).parameters) > 2:
        _warm(settings, app.state.engine, app.state.templates)
    else:  # the code of a commit before warming compiled the templates (PYTHONPATH=/tmp/old/src)
        _warm(settings, app.state.engine)  # type: ignore[call-arg,unused-ignore]
    used = time.process_time() - started
    sent = [0]

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def _count(*_: object) -> None:
        sent[0] += 1

    print(f"warming: {used:.1f} s CPU, to {time.perf_counter():.1f} s; per request, ms:")
    with TestClient(app) as client:
        client.get("/healthz")  # the app's first request (its own set-up), not a route's
        for route in args.routes.split(","):
            cpus, walls, servers, statements = [], [], [], []
            for n in range(1, args.rounds + 1):
                cpu, wall = time.process_time(), time.perf_counter()
                server = _server_cpu(args.server_pid)
                sent[0] = 0
                answer = client.get(route.replace("{n}", str(n)))
                servers.append((_server_cpu(args.server_pid) - server) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
                statements.append(sent[0])
                answer.raise_for_status()
            also = f"   server CPU median {statistics.median(servers):6.1f}" if args.server_pid else ""
            print(
                f"{route:<54} CPU mean {statistics.mean(cpus):6.1f} median {statistics.median(cpus):6.1f} "
                f"max {max(cpus):6.1f}   wall median {statistics.median(walls):6.1f} max {max(walls):6.1f}"
                f"   SQL median {statistics.median(statements):g} max {max(statements)}" + also
            )
            if args.each:
                print("   ", " ".join(f"{c:.0f}" for c in cpus))


def _server_cpu(postmaster: int | None) -> float:
    """Seconds of CPU (user + system) used so far by ``postmaster`` and its children (0 without one)."""
    if postmaster is None:
        return 0.0
    used = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if int(stat.parent.name) == postmaster or int(fields[1]) == postmaster:
            used += int(fields[11]) + int(fields[12])
    return used / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
