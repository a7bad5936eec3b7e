"""What the default build knows, and from where: a markdown report for issue notes and audits.

For each bundled dataset: its rows, how many made new models, merged, conflicted or were skipped, and
which facts its merged rows filled in models that lacked them. For the curated records released (or
announced) from ``--since`` on: how many there are, what kind each parameter count is (stated by the
maker, measured, only estimated by a third party, unknown), and the list of them by organisation.

    .venv/bin/python scripts/curation_report.py --since 2023-08 > report.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections import Counter, defaultdict

from modelatlas.catalog.schema import Model
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources.ingest import merge_imports, with_snapshots

_FILLED = re.compile(r"\+([a-z_.]+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--since", default="2023-08", help="curated records released from this month on")
    args = parser.parse_args()
    since = dt.date.fromisoformat(f"{args.since}-01" if len(args.since) == 7 else args.since)
    catalog = load_valid_catalog(bundled_catalog())
    curated = {entry.record.id: entry.record for entry in catalog.models}
    merged = merge_imports(catalog, with_snapshots(catalog, [], curated_only=False))
    print("## What each bundled dataset gave\n")
    print("| dataset | rows | new | merged | conflict | skipped | facts filled in existing models |")
    print("|---|---|---|---|---|---|---|")
    for key, outcomes in merged.outcomes.items():
        actions = Counter(o.action for o in outcomes)
        filled = Counter(
            f for o in outcomes if o.action in ("merged", "conflict") for f in _FILLED.findall(o.detail)
        )
        facts = ", ".join(f"{name} {n}" for name, n in filled.most_common()) or "-"
        print(
            f"| {key.removeprefix('bundled:')} | {len(outcomes)} | {actions['new']} | {actions['merged']} "
            f"| {actions['conflict']} | {actions['skipped']} | {sum(filled.values())}: {facts} |"
        )
    recent = [m for m in curated.values() if (when := _when(m)) is not None and when >= since]
    kinds = Counter(_size_kind(m) for m in recent)
    print(f"\n## Curated records released or announced since {since:%Y-%m}: {len(recent)}\n")
    print("Parameter counts: " + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()) + ".\n")
    unknown_date = sum(1 for m in recent if m.released is None)
    print(f"Announced but not (yet) released, or release date unknown: {unknown_date}.\n")
    by_org: dict[str, list[Model]] = defaultdict(list)
    for model in recent:
        by_org[model.organizations[0] if model.organizations else "-"].append(model)
    for org, models in sorted(by_org.items(), key=lambda item: (-len(item[1]), item[0])):
        names = ", ".join(f"{m.name} ({_size_kind(m)})" for m in sorted(models, key=_when_key))
        print(f"- **{org}** ({len(models)}): {names}")


def _when(model: Model) -> dt.date | None:
    date = model.released or model.announced
    return date.date if date is not None else None


def _when_key(model: Model) -> dt.date:
    return _when(model) or dt.date.max


def _size_kind(model: Model) -> str:
    """stated, measured (from weights or config), estimate (a third party's only) or undisclosed."""
    if model.parameters is not None and model.parameters.total is not None:
        fields = {f for s in model.sources if s.kind == "measured" for f in s.fields}
        return "measured" if "parameters" in fields else "stated"
    if any(e.field == "parameters" for e in model.estimates):
        return "estimate only"
    return "undisclosed"


if __name__ == "__main__":
    main()
