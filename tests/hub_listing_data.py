"""A synthetic Hub model listing of N records, generated page by page, with its own truth.

Each record has the keys and nesting of a real ``GET /api/models?expand[]=…`` record (the real body of
``google-bert/bert-base-uncased`` in ``tests/fixtures/live/hf/models`` is the template: ``_id``, ``id``,
``author``, ``createdAt``, ``lastModified``, ``downloads``, ``likes``, ``pipeline_tag``,
``library_name``, ``tags``, ``gated``, ``safetensors {parameters, total}``). Every value is
**illustrative**: the distributions are shaped like the Hub's (power-law downloads and likes, a few
popular bases drawing most derivatives, most repos ungated and without a licence tag), not measured.

Records are sorted by ``createdAt``, newest first, as the Hub's ``sort=createdAt`` listing is. A page is
drawn from its own seeded generator, so any page can be made alone, in any order, in a few
milliseconds: the replay server makes each page when it is asked for and never holds the listing.

``relations`` are the generator's own decisions (which base, which relation, whether a tag states it),
made before any tag is written, so a test compares what the sync parsed with what was meant.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np

RELATIONS = ("finetune", "adapter", "quantized", "merge")
#: Shares of the relations among derivatives, and the share of repos that derive from a base.
RELATION_SHARES = (0.50, 0.20, 0.25, 0.05)
DERIVED_SHARE = 0.40
#: Of the derivatives: the share whose relation no tag states (a bare ``base_model:X`` only), and the
#: share whose base is another listed repo (a derivative of a derivative) rather than a popular base.
UNSTATED_SHARE = 0.10
NESTED_SHARE = 0.10
POPULAR_BASES = 300
#: Records drawn from one seeded generator.
BLOCK = 1000
PIPELINES = (
    ("text-generation", 0.30),
    ("text-classification", 0.08),
    ("text-to-image", 0.06),
    ("automatic-speech-recognition", 0.04),
    ("image-classification", 0.04),
    ("feature-extraction", 0.04),
    ("sentence-similarity", 0.03),
    ("reinforcement-learning", 0.06),
    (None, 0.35),
)
LIBRARIES = (
    ("transformers", 0.45),
    ("peft", 0.10),
    ("diffusers", 0.06),
    ("gguf", 0.06),
    ("sentence-transformers", 0.03),
    ("mlx", 0.02),
    (None, 0.28),
)
LICENCES = (
    ("apache-2.0", 0.22),
    ("mit", 0.12),
    ("other", 0.06),
    ("llama3.1", 0.03),
    ("cc-by-nc-4.0", 0.03),
    ("openrail", 0.02),
    (None, 0.52),
)
GATED = (("no", 0.95), ("auto", 0.03), ("manual", 0.02))
NEWEST = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
OLDEST = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)


def repo_id(index: int) -> str:
    """The id of the record at ``index`` (0 is the newest)."""
    return f"user{index % 9973}/model-{index:07d}"


def popular_base(rank: int) -> str:
    return f"lab{rank % 37}/base-{rank:03d}"


def _pick(rng: np.random.Generator, table: tuple[tuple[Any, float], ...], size: int) -> list[Any]:
    values = [v for v, _ in table]
    weights = np.array([w for _, w in table])
    chosen = rng.choice(len(values), size=size, p=weights / weights.sum())
    return [values[i] for i in chosen]


def _iso(seconds: float) -> str:
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def block(total: int, number: int, seed: int = 0) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Block ``number`` (from 0; ``BLOCK`` records each) of a listing of ``total`` records: its records and
    its relations as ``(repo, base, relation)``. Blocks, not pages, are drawn, so a listing is the same
    whatever page size a client asks for."""
    start, stop = number * BLOCK, min(total, (number + 1) * BLOCK)
    count = max(0, stop - start)
    rng = np.random.default_rng([seed, number])
    span = (NEWEST - OLDEST).total_seconds()
    created = NEWEST.timestamp() - (np.arange(start, stop) + rng.random(count)) * span / max(total, 1)
    modified = np.minimum(created + rng.exponential(90 * 86400, count), NEWEST.timestamp())
    downloads = np.floor(rng.pareto(1.1, count) * 3).astype(np.int64)
    likes = np.floor(rng.pareto(1.3, count) * 0.3).astype(np.int64)
    derived = rng.random(count) < DERIVED_SHARE
    relation = rng.choice(4, size=count, p=RELATION_SHARES)
    unstated = rng.random(count) < UNSTATED_SHARE
    nested = rng.random(count) < NESTED_SHARE
    popular = np.minimum(rng.zipf(1.6, size=(count, 3)) - 1, POPULAR_BASES - 1)
    older = rng.integers(1, 5000, size=(count, 3))
    merged = rng.integers(2, 4, size=count)  # a merge has 2 or 3 parents
    with_safetensors = rng.random(count) < 0.45
    parameters = np.floor(10 ** rng.uniform(6, 11.5, count)).astype(np.int64)
    pipelines = _pick(rng, PIPELINES, count)
    libraries = _pick(rng, LIBRARIES, count)
    licences = _pick(rng, LICENCES, count)
    gates = _pick(rng, GATED, count)
    records: list[dict[str, Any]] = []
    relations: list[tuple[str, str, str]] = []
    for k in range(count):
        index = start + k
        rid = repo_id(index)
        tags: list[str] = []
        if libraries[k]:
            tags.append(str(libraries[k]))
        if with_safetensors[k]:
            tags.append("safetensors")
        if pipelines[k]:
            tags.append(str(pipelines[k]))
        if derived[k]:
            kind = RELATIONS[relation[k]]
            parents = int(merged[k]) if kind == "merge" else 1
            bases: list[str] = []
            for p in range(parents):
                if nested[k] and index + older[k, p] < total:
                    base = repo_id(index + int(older[k, p]))
                else:
                    base = popular_base(int(popular[k, p]))
                if base not in bases:
                    bases.append(base)
            for base in bases:
                tags.append(f"base_model:{base}")
                if not unstated[k]:
                    tags.append(f"base_model:{kind}:{base}")
                relations.append((rid, base, "finetune" if unstated[k] else kind))
        if licences[k]:
            tags.append(f"license:{licences[k]}")
        tags += ["endpoints_compatible", "region:us"]
        record: dict[str, Any] = {
            "_id": f"{int(created[k]):08x}{index:016x}",
            "id": rid,
            "author": rid.split("/")[0],
            "createdAt": _iso(float(created[k])),
            "lastModified": _iso(float(modified[k])),
            "downloads": int(downloads[k]),
            "likes": int(likes[k]),
            "pipeline_tag": pipelines[k],
            "library_name": libraries[k],
            "tags": tags,
            "gated": False if gates[k] == "no" else gates[k],
        }
        if not record["pipeline_tag"]:
            del record["pipeline_tag"]
        if not record["library_name"]:
            del record["library_name"]
        if with_safetensors[k]:
            total_params = int(parameters[k])
            record["safetensors"] = {"parameters": {"BF16": total_params}, "total": total_params}
        records.append(record)
    return records, relations


def window(total: int, start: int, stop: int, seed: int = 0) -> list[dict[str, Any]]:
    """Records ``start`` to ``stop`` (excluded) of the listing: one page."""
    stop = min(stop, total)
    found: list[dict[str, Any]] = []
    for number in range(start // BLOCK, -(-stop // BLOCK)):
        records = block(total, number, seed)[0]
        base = number * BLOCK
        found += records[max(0, start - base) : stop - base]
    return found


def blocks(total: int, seed: int = 0) -> Iterator[tuple[list[dict[str, Any]], list[tuple[str, str, str]]]]:
    for number in range(-(-total // BLOCK)):
        yield block(total, number, seed)


def truth(total: int, seed: int = 0) -> Counter[tuple[str, str]]:
    """Derivatives per ``(base, relation)`` in the whole listing, from the generator's decisions."""
    counts: Counter[tuple[str, str]] = Counter()
    for _, relations in blocks(total, seed):
        for _, base, relation in relations:
            counts[(base, relation)] += 1
    return counts
