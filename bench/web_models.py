"""``/api/v1/models`` with a search and two filters on 100,000 models, against Datasette on the same file.

Both servers run as their own processes on 127.0.0.1 over the same SQLite store (built by
``bench/synthetic.py`` if missing); a second process sends the requests from ``--clients`` threads
for ``--seconds`` each and reports p50 and p99 latency and requests per second. modelatlas answers
``q=llama&domain=nlp&openness=open-weights`` (its search: exact, substring, summary, with relevance
and totals); Datasette answers the nearest SQL: the same filters with ``LIKE '%llama%'`` on the
normalised names, newest first. The ratio is modelatlas over Datasette (above 1: modelatlas slower).

    .venv/bin/python bench/web_models.py [--models 100000] [--clients 8] [--seconds 15]
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from synthetic import synthetic_store  # bench/ is on the path when run as a script

BIN = Path(sys.executable).parent
SQL = (
    "select m.id, m.name, m.parameters, m.released, m.openness from models m "
    "where m.id in (select model_id from model_names where key like '%llama%') "
    "and m.id in (select model_id from model_domains where domain = 'nlp') "
    "and m.openness = 'open-weights' order by m.released desc limit 20"
)
API = "/api/v1/models?q=llama&domain=nlp&openness=open-weights&sort=released&limit=20"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:
                answer.read()
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def _load(url: str, clients: int, seconds: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Run in the second process: ``clients`` threads asking ``url`` for ``seconds``; a ``{n}`` in it
    becomes 1, 2, 3… so that each request asks something new (no answer kept by the server helps)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    counter = itertools.count(1)

    def worker() -> None:
        nonlocal errors
        while time.monotonic() < stop:
            with lock:
                asked = url.replace("{n}", str(next(counter)))
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(asked, timeout=60) as answer:
                    answer.read()
                    ok = answer.status == 200
            except OSError:
                ok = False
            spent = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(spent)
                else:
                    errors += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, errors, time.perf_counter() - began))


def measure(url: str, clients: int, seconds: float) -> dict[str, float]:
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    process = multiprocessing.Process(target=_load, args=(url, clients, seconds, queue))
    process.start()
    latencies, errors, elapsed = queue.get()
    process.join()
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        if ordered
        else float("nan"),
        "rps": len(ordered) / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument(
        "--db", default=None, help="Store to use (default: /tmp/atlas-<models/1000>k.db, built if missing)"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=1, help="modelatlas serve --workers")
    args = parser.parse_args()
    db = synthetic_store(args.models, args.db)
    ours, theirs = _port(), _port()
    env = {**os.environ, "MODELATLAS_DB": str(db)}
    servers = [
        subprocess.Popen(
            [str(BIN / "modelatlas"), "serve", "--port", str(ours), "--workers", str(args.workers)],
            env=env,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [str(BIN / "datasette"), "serve", str(db), "--port", str(theirs), "--immutable", str(db),
             "--setting", "sql_time_limit_ms", "60000", "--setting", "num_sql_threads", "3"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]  # fmt: skip
    try:
        ours_url = f"http://127.0.0.1:{ours}{API}"
        theirs_url = f"http://127.0.0.1:{theirs}/{db.stem}.json?" + urllib.parse.urlencode(
            {"sql": SQL, "_shape": "array"}
        )
        for url in (ours_url, theirs_url):
            _wait(url)
        with urllib.request.urlopen(ours_url) as answer:
            found = json.load(answer)
        with urllib.request.urlopen(theirs_url) as answer:
            rows = json.load(answer)
        same = [i["id"] for i in found["items"]] == [r["id"] for r in rows]
        print(f"store: {db} ({args.models:,} models); {args.clients} clients for {args.seconds:.0f} s each")
        print(f"modelatlas total {found['total']:,}; first 20 the same as Datasette's: {same}")
        results = {"modelatlas": measure(ours_url, args.clients, args.seconds)}
        results["datasette"] = measure(theirs_url, args.clients, args.seconds)
        print(f"{'server':<12}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>9}")
        for name, r in results.items():
            print(
                f"{name:<12}{r['requests']:>10.0f}{r['errors']:>8.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}"
                f"{r['rps']:>9.1f}"
            )
        ours_r, theirs_r = results["modelatlas"], results["datasette"]
        print(
            f"ratio modelatlas/datasette: p50 ×{ours_r['p50_ms'] / theirs_r['p50_ms']:.2f}, "
            f"p99 ×{ours_r['p99_ms'] / theirs_r['p99_ms']:.2f}, "
            f"throughput ×{ours_r['rps'] / theirs_r['rps']:.2f}"
        )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
