"""What keeping the default views in the store saves: the build's extra step, a server's start, first answers.

    PYTHONPATH=src .venv/bin/python bench/kept_views.py --db /tmp/atlas-100k.db [--refresh] [--workers 2]

With ``--refresh`` it first computes and keeps the store's default views (``web.refresh.refresh``, the
build's last step) and says how long that took, wall and CPU. Then it starts ``modelatlas serve`` on the
store (the code on ``PYTHONPATH``), asks each default route once as soon as the server answers (the
first answer: a worker computing the view, waiting for its warm-up to, or reading it), and waits until
the server's processes are idle: the server's start-up is the time until then and the CPU its
processes used. Run it once with the code before and once after, on the same store.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil
from scale import timed_get

BIN = Path(sys.executable).parent
#: The routes whose default views a build keeps.
ROUTES = [
    "/",
    "/trends",
    "/trends?metric=compute",
    "/timeline",
    "/timeline?freq=month",
    "/lineage",
    "/hardware",
    "/models",
    "/api/v1/trends",
    "/api/v1/trends?metric=tokens",
    "/api/v1/models",
    "/?lang=zh",
]


def _tree_cpu(process: psutil.Process) -> float:
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--refresh", action="store_true", help="Keep the store's default views first.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8931)
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    if args.refresh:
        from modelatlas.web.refresh import refresh

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started, cpu = time.perf_counter(), time.process_time()
        kept = refresh(url)
        took = time.perf_counter() - started
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
        forked = ended.ru_utime + ended.ru_stime - children.ru_utime - children.ru_stime
        print(
            f"refresh: {kept} views kept in {took:.1f} s ({time.process_time() - cpu:.1f} s CPU, "
            f"{forked:.1f} s in its children)"
        )
    env = {**os.environ, "MODELATLAS_DB": url}
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(BIN / "modelatlas"), "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env,
        stderr=open(os.environ.get("SERVE_LOG", os.devnull), "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        while timed_get(f"{base}/healthz")[1] != 200:
            time.sleep(0.2)
        print(f"healthz answers after {time.perf_counter() - started:.1f} s")
        for route in ROUTES:
            took, status = timed_get(base + route, timeout=1800)
            print(f"first {route:<32} {status} {took * 1000:>10.0f} ms")
        process = psutil.Process(server.pid)
        before = _tree_cpu(process)
        while True:  # idle: under 0.2 s of CPU in 3 s
            time.sleep(3)
            now = _tree_cpu(process)
            if now - before < 0.2:
                break
            before = now
        print(f"server idle after {time.perf_counter() - started:.1f} s; its processes used {now:.1f} s CPU")
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
