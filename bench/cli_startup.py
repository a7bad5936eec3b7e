"""Time the start-up of ``modelatlas`` commands and list the heavy libraries each one imports.

Builds a store into a temporary SQLite file (``MODELATLAS_DB``), then runs ``modelatlas --help``,
``modelatlas validate``, ``modelatlas show llama`` and the others given with ``--command`` as
subprocesses, ``--repeat`` times each, and prints the median wall time. Each command is then run once
more under ``python -X importtime``: the time spent importing modules, in all and in each heavy library
it imported (the sum of the self times of that library's modules, so the figures do not overlap). The
digest column is a digest of the command's exit code and stdout, to check that a change of the code
leaves the output as it was: run it before and after and compare.

    .venv/bin/python bench/cli_startup.py [--repeat 5] [--command "list --open"]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "altair",
    "vl_convert",
    "networkx",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "huggingface_hub",
    "arxiv",
    "requests",
    "httpx",
    "sqlalchemy",
    "alembic",
    "rapidfuzz",
    "ftfy",
    "pydantic",
    "pydantic_settings",
    "yaml",
)

COMMANDS = ("--help", "validate", "show llama")


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("modelatlas")
    return [str(script)] if script.exists() else [sys.executable, "-m", "modelatlas"]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    return time.perf_counter() - started, done


def _imports(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """Import time of ``modelatlas ARGS`` in ms: in all, and per heavy library it imported."""
    _, done = _run([sys.executable, "-X", "importtime", "-m", "modelatlas", *args], env)
    total, found = 0.0, dict[str, float]()
    for line in done.stderr.decode(errors="replace").splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        head, _, name = line.split("|")
        own = head.removeprefix("import time:").strip()
        if not own.isdigit():  # the header line
            continue
        total += int(own) / 1000
        package = name.strip().split(".")[0]
        if package in HEAVY:
            found[package] = found.get(package, 0.0) + int(own) / 1000
    return total, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="Runs per command (median).")
    parser.add_argument(
        "--command", action="append", default=[], help="Another command line to time, e.g. 'list --open'."
    )
    options = parser.parse_args()
    cli = _cli()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MODELATLAS_DB": str(Path(tmp) / "x.db"), "COLUMNS": "120"}
        seconds, built = _run([*cli, "build"], env)
        if built.returncode != 0:
            sys.exit(f"modelatlas build failed:\n{built.stderr.decode(errors='replace')}")
        print(f"{' '.join(cli)}  (store built in {seconds:.2f} s, {options.repeat} runs each)\n")
        print(f"{'command':<22} {'median s':>8} {'min s':>7} {'max s':>7}  {'exit':>4}  digest      heavy")
        for line in (*COMMANDS, *options.command):
            args = shlex.split(line)
            times = []
            for _ in range(options.repeat):
                elapsed, done = _run([*cli, *args], env)
                times.append(elapsed)
            digest = hashlib.sha256(b"%d\n" % done.returncode + done.stdout).hexdigest()[:10]
            total, heavy = _imports(args, env)
            print(
                f"{line:<22} {statistics.median(times):8.2f} {min(times):7.2f} {max(times):7.2f}  "
                f"{done.returncode:>4}  {digest}  {len(heavy)} of {len(HEAVY)}"
            )
            ranked = sorted(heavy.items(), key=lambda kv: -kv[1])
            listed = ", ".join(f"{name} {ms:.0f}" for name, ms in ranked)
            print(f"    importing: {total:.0f} ms in all; heavy libraries (ms): {listed or 'none'}")


if __name__ == "__main__":
    main()
