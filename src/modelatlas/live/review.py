"""The review queue: candidates a sync found, and the decisions on them.

``accept`` turns a candidate into a catalog YAML file (validated with the whole catalog before it is kept);
``reject`` remembers the decision, so the same repo or paper is never proposed again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Engine, insert, select, update

from modelatlas.catalog.dump import dump_model
from modelatlas.catalog.schema import Model
from modelatlas.catalog.validate import filled_fact_fields, validate_catalog
from modelatlas.errors import BadArgument, CatalogInvalid, NotFound
from modelatlas.files import write_atomic
from modelatlas.live.discover import Candidate
from modelatlas.store import tables as T
from modelatlas.store.lock import write_transaction

__all__ = ["STATUSES", "accept", "candidates", "draft", "offer", "reject"]

STATUSES = ("pending", "accepted", "rejected")

#: Hub pipeline tags and arXiv categories that tell a catalog domain.
_DOMAINS = {
    "nlp": {
        "text-generation", "text2text-generation", "fill-mask", "feature-extraction", "translation",
        "summarization", "question-answering", "token-classification", "text-classification",
        "sentence-similarity", "table-question-answering", "zero-shot-classification", "cs.CL",
    },
    "cv": {
        "image-classification", "object-detection", "image-segmentation", "text-to-image", "image-to-image",
        "unconditional-image-generation", "depth-estimation", "mask-generation", "image-feature-extraction",
        "video-classification", "text-to-video", "cs.CV",
    },
    "multimodal": {
        "image-text-to-text", "visual-question-answering", "image-to-text", "any-to-any",
        "video-text-to-text", "zero-shot-image-classification", "document-question-answering",
        "cs.MM",
    },
    "speech": {
        "automatic-speech-recognition", "text-to-speech", "audio-classification", "text-to-audio",
        "audio-to-audio", "cs.SD", "eess.AS",
    },
}  # fmt: skip
_SOURCE_ID = {"hf": "huggingface-hub", "arxiv": "arxiv"}


def offer(engine: Engine, found: Sequence[Candidate], when: str) -> int:
    """Queue ``found``; a pending candidate gets fresh details, a decided one is left alone.

    Returns the number of candidates new to the queue.
    """
    if not found:
        return 0
    c = T.candidates.c
    new = 0
    with write_transaction(engine) as conn:
        query = select(c.key, c.status).where(c.key.in_([f.key for f in found]))
        statuses = {key: status for key, status in conn.execute(query)}  # noqa: C416
        for item in found:
            values = {
                "name": item.name,
                "organization": item.organization,
                "url": item.url,
                "published": item.published,
                "detail": orjson.dumps(item.detail, option=orjson.OPT_SORT_KEYS).decode(),
            }
            if item.key not in statuses:
                row = {**values, "key": item.key, "source": item.source, "ref": item.ref, "found_at": when}
                conn.execute(insert(T.candidates).values(**row, status="pending"))
                statuses[item.key] = "pending"
                new += 1
            elif statuses[item.key] == "pending":
                conn.execute(update(T.candidates).where(c.key == item.key).values(**values))
    return new


def candidates(
    engine: Engine, *, status: str | None = "pending", source: str | None = None, key: str | None = None
) -> list[dict[str, Any]]:
    """The queue, newest publication first; ``status=None`` lists every decision too."""
    c = T.candidates.c
    query = select(T.candidates).order_by(c.published.desc(), c.key)
    for column, wanted in ((c.status, status), (c.source, source), (c.key, key)):
        if wanted is not None:
            query = query.where(column == wanted)
    with engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(query).mappings()]
    for row in rows:
        row["detail"] = orjson.loads(row["detail"])
    return rows


def _get(engine: Engine, key: str) -> dict[str, Any]:
    rows = candidates(engine, status=None, key=key)
    if not rows:
        raise NotFound(f"no candidate {key!r}: `modelatlas review` lists them (keys look like hf:owner/repo)")
    return rows[0]


def reject(engine: Engine, key: str, reason: str | None, when: str) -> dict[str, Any]:
    """Mark ``key`` rejected; later syncs will not propose it again.

    Raises:
        NotFound: there is no such candidate.
    """
    row = _get(engine, key)
    with write_transaction(engine) as conn:
        conn.execute(
            update(T.candidates)
            .where(T.candidates.c.key == key)
            .values(status="rejected", decided_at=when, reason=reason)
        )
    return {**row, "status": "rejected", "decided_at": when, "reason": reason}


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-.")
    return re.sub(r"-+", "-", slug) or "model"


def _domain(row: dict[str, Any]) -> str | None:
    detail = row["detail"]
    hints = [detail.get("pipeline_tag"), detail.get("primary_category"), *detail.get("categories", [])]
    for hint in hints:
        for domain, tags in _DOMAINS.items():
            if hint in tags:
                return domain
    return None


def draft(row: dict[str, Any], *, model_id: str | None, domain: str | None, today: dt.date) -> Model:
    """The catalog record a candidate becomes: only what its source states, with the source recorded.

    Raises:
        BadArgument: the domain cannot be told from the source and none was given, or the id is not a slug.
    """
    detail = row["detail"]
    chosen = domain or _domain(row)
    if chosen is None:
        raise BadArgument(
            f"cannot tell the domain of {row['key']} from its source; give one with --domain (nlp, cv, …)"
        )
    record: dict[str, Any] = {
        "id": model_id or _slug(row["name"]),
        "name": row["name"],
        "domains": [chosen],
        "organizations": [row["organization"]] if row["organization"] else [],
    }
    if row["published"]:
        record["released" if row["source"] == "hf" else "announced"] = row["published"]
    if row["source"] == "hf":
        record["weights"] = {"huggingface": [row["ref"]]}
        if detail.get("parameters"):
            record["parameters"] = {"total": detail["parameters"]}
        if detail.get("license"):
            record["license"] = detail["license"]
        record["openness"] = "open-weights-restricted" if detail.get("gated") else "open-weights"
    else:
        record["papers"] = [
            {"title": detail.get("title"), "arxiv": row["ref"], "year": int(row["published"][:4])}
        ]
    source = {"id": _SOURCE_ID[row["source"]], "url": row["url"], "accessed": today.isoformat()}
    record["sources"] = [source]
    try:
        model = Model.model_validate(record)
        source["fields"] = sorted(filled_fact_fields(model))
        return Model.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BadArgument(f"cannot make a catalog record of {row['key']}: {where}: {first['msg']}") from exc


def accept(
    engine: Engine,
    key: str,
    catalog: Path,
    *,
    model_id: str | None = None,
    domain: str | None = None,
    today: dt.date,
    when: str,
) -> tuple[dict[str, Any], Path]:
    """Write the candidate ``key`` into ``catalog`` as ``models/<id>.yaml`` and mark it accepted.

    The whole catalog is validated with the new file in place; if that fails, the file is removed again
    and nothing is marked.

    Raises:
        NotFound: there is no such candidate.
        BadArgument: it was decided already, the file exists, or no domain can be told.
        CatalogInvalid: the catalog with the new file does not validate.
    """
    row = _get(engine, key)
    if row["status"] != "pending":
        raise BadArgument(f"{key} was {row['status']} on {row['decided_at']}; nothing to do")
    model = draft(row, model_id=model_id, domain=domain, today=today)
    path = catalog / "models" / f"{model.id}.yaml"
    if path.exists():
        raise BadArgument(f"{path} exists already; choose another id with --id")
    write_atomic(path, dump_model(model).encode())
    try:
        problems = validate_catalog(catalog).problems
        if problems:
            raise CatalogInvalid(problems)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        raise
    with write_transaction(engine) as conn:
        conn.execute(
            update(T.candidates)
            .where(T.candidates.c.key == key)
            .values(status="accepted", decided_at=when, model_id=model.id)
        )
    return {**row, "status": "accepted", "decided_at": when, "model_id": model.id}, path
