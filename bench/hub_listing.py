"""``sync --source hf --all`` against a generated Hub listing of N records: speed, memory, kill -9 and resume.

The replay server (``tests/replay.py``) runs in a process of its own and serves the generated listing
(``tests/hub_listing_data.py``) with the Hub's cursor paging, 1,000 records a page. It renders every page
once before anything is timed (``--keep-pages``), so what is timed is the client, not the generator.

1. decoders on the same pages, in this process: huggingface_hub's ``ModelInfo(**record)`` on orjson's
   dicts and as ``list_models`` makes them (the page by the standard library's json, as httpx2's
   ``Response.json`` decodes it for ``paginate``, then ``ModelInfo``), orjson with
   the fields picked in Python, and msgspec as ``sources.hub_listing.parse_page`` does it; then
   ``parse_page`` and the store's writes together (no network);
2. ``modelatlas sync -s hf --all`` in its own process: seconds, records/s, peak RSS (``wait4``);
   the field's sums refreshed alone (the end of the merge); ``ecosystem`` on the million-repo store
   (the most-derived base and a median one, the whole field, a model page's derivatives), the CLI in
   its own process, and /ecosystem on a server just started (``--store DB`` times only these);
3. huggingface_hub's own ``HfApi(endpoint=…).list_models(sort="createdAt", expand=[…])`` iterated over
   the same pages in its own process: seconds, records/s, peak RSS, and the ratio;
4. a second store: ``sync --all`` killed with SIGKILL halfway, then run again; the stored rows are
   checked against the generator (repos, no duplicates, derivatives per base and relation, snapshots).

    .venv/bin/python bench/hub_listing.py --records 1000000
    .venv/bin/python bench/hub_listing.py --records 1000000 --store /tmp/synced.db  # ecosystem only
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx2
import orjson
from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import hub_listing_data as G  # noqa: E402

from modelatlas.sources.hub_listing import EXPAND, parse_page  # noqa: E402

PYTHON = sys.executable
HF_ITERATE = """
import sys, time
from huggingface_hub import HfApi
started = time.perf_counter()
listed = HfApi(endpoint=sys.argv[1]).list_models(sort="createdAt", expand=sys.argv[2].split(","))
count = sum(1 for _ in listed)
print(count, time.perf_counter() - started)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(records: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "tests.replay", "--port", str(port), "--listing", str(records), "--keep-pages"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}/hf"
    for _ in range(200):
        try:
            httpx2.get(f"{endpoint}/api/models/none", timeout=1)
            break
        except httpx2.HTTPError:
            time.sleep(0.1)
    return server, endpoint


def first_url(endpoint: str) -> str:
    from modelatlas.live.hub_all import first_page

    return first_page(endpoint)


def warm(endpoint: str, keep: int) -> list[bytes]:
    """Fetch every page once (the server renders and keeps it); return the first ``keep`` bodies."""
    bodies: list[bytes] = []
    url: str | None = first_url(endpoint)
    with httpx2.Client(timeout=120) as client:
        while url is not None:
            response = client.get(url)
            response.raise_for_status()
            if len(bodies) < keep:
                bodies.append(response.content)
            url = response.links.get("next", {}).get("url")
    return bodies


def best_rate(records: int, work: object, tries: int = 3) -> tuple[float, float]:
    """Records per second of wall time and of this process's CPU time, in the fastest of ``tries``."""
    fastest, cpu = float("inf"), float("inf")
    for _ in range(tries):
        started, used = time.perf_counter(), time.process_time()
        work()  # type: ignore[operator]
        seconds = time.perf_counter() - started
        if seconds < fastest:
            fastest, cpu = seconds, time.process_time() - used
    return records / fastest, records / cpu


def decoders(bodies: list[bytes]) -> dict[str, tuple[float, float]]:
    from huggingface_hub.hf_api import ModelInfo

    records = sum(len(orjson.loads(b)) for b in bodies)

    def model_info() -> None:
        for body in bodies:
            for record in orjson.loads(body):
                record.setdefault("siblings", None)  # as list_models does
                ModelInfo(**record)

    def as_listed() -> None:
        for body in bodies:
            for record in json.loads(body):  # what httpx2's ``Response.json`` does for ``paginate``
                record.setdefault("siblings", None)
                ModelInfo(**record)

    def orjson_pick() -> None:
        for body in bodies:
            for r in orjson.loads(body):
                tags = r.get("tags") or ()
                licence = next((t[8:] for t in tags if t.startswith("license:")), None)
                bases = [t for t in tags if t.startswith("base_model:")]
                st = r.get("safetensors")
                (
                    r["id"], r.get("author"), r.get("createdAt"), r.get("lastModified"),
                    r.get("pipeline_tag"), r.get("library_name"), licence, r.get("gated"),
                    st.get("total") if st else None, r.get("downloads"), r.get("likes"), bases,
                )  # fmt: skip

    def msgspec_parse() -> None:
        for body in bodies:
            parse_page(body, "bench")

    return {
        "ModelInfo(**record)": best_rate(records, model_info, 1),
        "list_models: json + ModelInfo": best_rate(records, as_listed, 1),
        "orjson + picking fields": best_rate(records, orjson_pick),
        "msgspec parse_page (ours)": best_rate(records, msgspec_parse),
    }


class _PagesInMemory:
    """A Hub source whose listing pages are ``bodies``, in order: the sync's own pipeline without the
    network (``listing_page`` is what ``hub_all`` asks of a ``HubSource``)."""

    def __init__(self, bodies: list[bytes]) -> None:
        self.bodies = bodies

    def listing_page(self, url: str) -> tuple[bytes, str | None]:
        n = int(url.rsplit("=", 1)[1])
        after = f"http://bench/api/models?page={n + 1}" if n + 1 < len(self.bodies) else None
        return self.bodies[n], after


def pipeline(bodies: list[bytes], db: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) of the sync's staging pipeline as it runs (``hub_all._follow``: one thread
    fetches and decodes, this one stages each waiting group of pages in a transaction) over ``bodies``
    held in memory, into the store at ``db``; the final merge not included."""
    from modelatlas.live import hub_ledger as L
    from modelatlas.live.hub_all import ListingReport, _follow
    from modelatlas.store.engine import make_engine

    engine = make_engine(f"sqlite:///{db}")
    moment = dt.datetime.now(dt.UTC)
    listing = L.begin(engine, "http://bench/api/models?page=0", moment, restart=True)
    report = ListingReport(run_on=moment.date().isoformat())
    started, used = time.perf_counter(), time.process_time()
    _follow(engine, _PagesInMemory(bodies), listing, report, None)  # type: ignore[arg-type]
    seconds = (time.perf_counter() - started, time.process_time() - used)
    engine.dispose()
    return seconds


def parse_and_store(bodies: list[bytes], db: Path) -> dict[str, tuple[float, float]]:
    """Seconds (wall, CPU) of ``parse_page`` and staging, a transaction per ``GROUP`` pages (as the sync
    writes when pages wait for the store), of the final merge, and (keys indented) of each of the merge's
    statements that took a hundredth of a CPU second, into the store at ``db``, without the network."""
    from modelatlas.live import hub_ledger as L
    from modelatlas.live.hub_all import GROUP
    from modelatlas.store.engine import make_engine

    engine = make_engine(f"sqlite:///{db}")
    moment = dt.datetime.now(dt.UTC)
    listing = L.begin(engine, "http://bench/api/models", moment, restart=True)
    statements = L.Statements.of(engine)
    started, used = time.perf_counter(), time.process_time()
    for start in range(0, len(bodies), GROUP):
        pages = [
            (parse_page(body, "bench"), "http://bench/api/models?next")
            for body in bodies[start : start + GROUP]
        ]
        L.stage(engine, statements, pages, listing)
    staged = (time.perf_counter() - started, time.process_time() - used)
    steps: dict[str, tuple[float, float]] = {}
    began: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_: object) -> None:
        began[:] = [time.perf_counter(), time.process_time()]

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        steps[" ".join(statement.split()[:3])] = (
            time.perf_counter() - began[0],
            time.process_time() - began[1],
        )

    started, used = time.perf_counter(), time.process_time()
    L.merge(engine, listing, moment)
    merged = (time.perf_counter() - started, time.process_time() - used)
    engine.dispose()
    return {"staged": staged, "merged": merged} | {
        f"  {name}": seconds for name, seconds in steps.items() if seconds[1] >= 0.01
    }


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, int, float]:
    """Seconds, peak resident MB, exit status and CPU seconds of ``command`` (wait4 on its own pid)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode and process.stderr is not None:
        sys.stderr.write(process.stderr.read().decode())
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode, cpu


def build(db: Path, env: dict[str, str]) -> None:
    catalog = ROOT / "tests" / "fixtures" / "catalog"
    modelatlas = [PYTHON, "-c", "from modelatlas.cli import main; main()"]
    subprocess.run([*modelatlas, "build", "--catalog", str(catalog), "--db", str(db)], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def check(db: Path, records: int, truth: Counter[tuple[str, str]]) -> dict[str, object]:
    with sqlite3.connect(db) as conn:
        repos, distinct = conn.execute("SELECT count(*), count(DISTINCT id) FROM hub_repos").fetchone()
        snapshots = conn.execute("SELECT count(*) FROM hub_snapshots").fetchone()[0]
        stored = Counter(
            {
                (b, r): n
                for b, r, n in conn.execute("SELECT base, relation, count(*) FROM hub_bases GROUP BY 1, 2")
            }
        )
        state = conn.execute("SELECT pages, records, finished_at IS NOT NULL FROM hub_listing").fetchone()
    return {
        "repos": repos,
        "distinct": distinct,
        "snapshots": snapshots,
        "relations_equal_truth": stored == truth,
        "relations": sum(stored.values()),
        "bases": len({b for b, _ in stored}),
        "state": state,
        "ok": repos == distinct == snapshots == records and stored == truth and bool(state[2]),
    }


def ecosystem_times(db: Path, truth: Counter[tuple[str, str]]) -> None:
    """Seconds (wall, and CPU of this process) of ``ecosystem`` for the most and the median-derived base,
    of the whole field, of the largest model page's derivatives; then the CLI and the page."""
    from modelatlas.live.ecosystem import ecosystem
    from modelatlas.live.landscape import derivatives_of, landscape
    from modelatlas.store.engine import make_engine

    per_base = Counter[str]()
    for (base, _), count in truth.items():
        per_base[base] += count
    ranked = [base for base, _ in per_base.most_common()]
    engine = make_engine(f"sqlite:///{db}")
    try:
        for base in (ranked[0], ranked[len(ranked) // 2]):
            for depth in ("1", "all"):
                with timed() as took:
                    found = ecosystem(engine, base, depth)  # type: ignore[arg-type]
                total = found["derivatives"]["total"]
                print(f"   ecosystem --base {base} --depth {depth}: {total:,} derivatives in {took}")
        with timed() as took:
            field = landscape(engine, top=20, months=12)
        print(f"   ecosystem (the whole field, top 20): {field['bases']:,} bases in {took}")
        with timed() as took:
            derived = derivatives_of(engine, ranked[:3])
        total = derived["total"] if derived else 0
        print(f"   a model page's derivatives (its repos = the 3 largest bases): {total:,} in {took}")
    finally:
        engine.dispose()
    cli_times(db)
    page_times(db)


class timed:  # noqa: N801 (used as a verb: `with timed() as took`)
    """Wall and CPU seconds of a ``with`` block, printed as ``0.12 s (CPU 0.10 s)``."""

    def __enter__(self) -> timed:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"


def cli_times(db: Path) -> None:
    """``modelatlas ecosystem`` (the whole field) and ``--depth all`` in their own processes, start-up
    included: wall seconds and the child's CPU seconds."""
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT / "src"))}
    modelatlas = [PYTHON, "-c", "from modelatlas.cli import main; main()", "ecosystem", "--db", str(db)]
    for label, extra in (
        ("", []),
        (" --base (largest) --depth all", ["-b", "lab0/base-000", "--depth", "all"]),
    ):
        started = time.perf_counter()
        process = subprocess.Popen([*modelatlas, *extra], env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        cpu = usage.ru_utime + usage.ru_stime
        print(f"   CLI modelatlas ecosystem{label}: {seconds:.2f} s (CPU {cpu:.2f} s), exit {status >> 8}")


def page_times(db: Path) -> None:
    """Seconds of /ecosystem on a server just started (``modelatlas serve``, its warm-up running): the
    first request, sent as soon as /healthz answers, and the next."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT / "src")),
        "MODELATLAS_DB": f"sqlite:///{db}",
    }
    serve = [PYTHON, "-c", "from modelatlas.cli import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx2.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.05)
        for which in ("first", "next"):
            started = time.perf_counter()
            status = httpx2.get(f"{base}/ecosystem", params={"lang": "zh"}, timeout=120).status_code
            print(f"   /ecosystem ({which} request, fresh server): HTTP {status} in "
                  f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)


def merge_refresh(db: Path) -> None:
    """Seconds of the summary's refresh alone (it ends each merge) on the synced store."""
    from modelatlas.live.landscape_tables import refresh
    from modelatlas.store.engine import make_engine

    engine = make_engine(f"sqlite:///{db}")
    try:
        with timed() as took, engine.begin() as conn:
            refresh(conn)
        print(f"   the field's sums, refreshed at the end of the merge: {took}")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--decode-pages", type=int, default=100, help="pages for the decoder comparison")
    parser.add_argument("--skip-hf", action="store_true", help="leave out huggingface_hub's iteration")
    parser.add_argument(
        "--store", type=Path, help="time only ecosystem, its CLI and page on this synced SQLite store"
    )
    chosen = parser.parse_args()
    n = chosen.records
    if chosen.store is not None:
        ecosystem_times(chosen.store, G.truth(n))
        return
    work = Path(tempfile.mkdtemp(prefix="hub-listing-"))
    server, endpoint = start_server(n)
    try:
        started = time.perf_counter()
        bodies = warm(endpoint, chosen.decode_pages)
        print(f"server: {n:,} records rendered in {time.perf_counter() - started:.1f} s (not timed below)")
        env = {
            **os.environ,
            "HF_ENDPOINT": endpoint,
            "MODELATLAS_REQUEST_INTERVAL": "0",
            "PYTHONPATH": str(ROOT / "src"),
        }
        sample = sum(len(orjson.loads(b)) for b in bodies)
        print(f"\n1. decoding {sample:,} records ({len(bodies)} pages), best of 3, records/s of wall "
              "(and of CPU) time:")  # fmt: skip
        rates = decoders(bodies)
        model_info, as_listed = rates["ModelInfo(**record)"], rates["list_models: json + ModelInfo"]

        def against(wall: float, cpu: float) -> str:
            """A rate's ratios to ``ModelInfo`` on orjson's dicts and as ``list_models`` makes them."""
            return (
                f"({wall / model_info[0]:.1f}x ModelInfo, CPU {cpu / model_info[1]:.1f}x; "
                f"{wall / as_listed[0]:.1f}x as listed, CPU {cpu / as_listed[1]:.1f}x)"
            )

        for name, (wall, cpu) in rates.items():
            print(f"   {name:28} {wall:>10,.0f} ({cpu:,.0f})  "
                  f"{against(wall, cpu)}")  # fmt: skip
        db = work / "store.db"
        build(db, env)
        seconds = parse_and_store(bodies, db)
        (staged, staged_cpu), (merged, merged_cpu) = seconds["staged"], seconds["merged"]
        for name, wall, cpu in (
            ("parse_page + staging", staged, staged_cpu),
            ("  + the final merge", staged + merged, staged_cpu + merged_cpu),
        ):
            rate, per_cpu = sample / wall, sample / cpu
            print(f"   {name:28} {rate:>10,.0f} ({per_cpu:,.0f})  "
                  f"{against(rate, per_cpu)}")  # fmt: skip
        db.unlink()
        build(db, env)
        wall, cpu = pipeline(bodies, db)
        rate, per_cpu = sample / wall, sample / cpu
        print(f"   {'the sync pipeline, 2 threads':28} {rate:>10,.0f} ({per_cpu:,.0f})  "
              f"{against(rate, per_cpu)}")  # fmt: skip
        print(f"   the merge alone: {merged:.2f} s ({merged_cpu:.2f} s CPU), of which:")
        for name, (wall, cpu) in seconds.items():
            if name.startswith("  "):
                print(f"     {name.strip():28} {wall:.2f} s ({cpu:.2f} s CPU)")

        db.unlink()
        build(db, env)
        sync = [
            PYTHON,
            "-c",
            "from modelatlas.cli import main; main()",
            "sync",
            "-s",
            "hf",
            "--all",
            "--db",
            str(db),
        ]
        wall, peak, code, cpu = run_measured(sync, env)
        print(f"\n2. modelatlas sync --all: {n:,} records in {wall:.1f} s = {n / wall:,.0f} records/s "
              f"({cpu:.1f} s CPU), peak RSS {peak:.0f} MB, exit {code}")  # fmt: skip
        truth = G.truth(n)
        print(f"   check: {check(db, n, truth)}")
        merge_refresh(db)
        ecosystem_times(db, truth)
        if not chosen.skip_hf:
            command = [PYTHON, "-c", HF_ITERATE, endpoint, ",".join(EXPAND)]
            hf_seconds, hf_peak, hf_code, hf_cpu = run_measured(command, env)
            print(f"\n3. huggingface_hub list_models iteration: {n:,} records in {hf_seconds:.1f} s = "
                  f"{n / hf_seconds:,.0f} records/s ({hf_cpu:.1f} s CPU), peak RSS {hf_peak:.0f} MB, "
                  f"exit {hf_code}")  # fmt: skip
            speedup = hf_seconds / wall
            print(f"   ratio: sync --all (fetch, parse, store) is {speedup:.1f}x huggingface_hub's iteration")

        killed = work / "killed.db"
        build(killed, env)
        sync_killed = [*sync[:-1], str(killed)]
        child = subprocess.Popen(sync_killed, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        half = -(-n // 1000) // 2
        pages = 0
        while pages < half and child.poll() is None:
            time.sleep(0.05)
            try:
                with sqlite3.connect(killed, timeout=1) as conn:
                    row = conn.execute("SELECT pages FROM hub_listing").fetchone()
                pages = row[0] if row else 0
            except sqlite3.OperationalError:
                pass
        child.send_signal(signal.SIGKILL)
        child.wait()
        with sqlite3.connect(killed) as conn:
            at_kill = conn.execute("SELECT pages, records FROM hub_listing").fetchone()
            repos_at_kill = conn.execute("SELECT count(*) FROM hub_staged").fetchone()[0]
        print(f"\n4. kill -9 at page {at_kill[0]} ({at_kill[1]:,} records staged, "
              f"{repos_at_kill:,} rows in hub_staged), exit {child.returncode}")  # fmt: skip
        wall, peak, code, cpu = run_measured(sync_killed, env)
        print(f"   resume: {wall:.1f} s ({cpu:.1f} s CPU), peak RSS {peak:.0f} MB, exit {code}")
        print(f"   check: {check(killed, n, truth)}")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
