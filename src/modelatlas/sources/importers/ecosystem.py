"""Read Stanford CRFM Ecosystem Graphs asset files (``assets/<org>.yaml``): one row per ``type: model``.

Each file is a YAML list of assets (datasets, models, applications); only models become rows. Fields are
plain values or ``{value, explanation}`` pairs; the explanations go into the source note. ``modality`` is
written ``"input; output"`` (``"text; image"`` is text-to-image); a value without ``;`` is both. Values
upstream writes as ``unknown`` stay empty, never guessed. ``dependencies`` mix datasets, models and
applications; all are kept as base models and the merger drops the names that are not models.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from modelatlas.catalog.schema import PartialDate
from modelatlas.catalog.units import parse_count
from modelatlas.errors import BadArgument, InputError
from modelatlas.sources.importers._io import Progress, text_lines
from modelatlas.sources.rows import ImportedRow, OrgRef, RowError, build_model

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["SOURCE_ID", "read"]

SOURCE_ID = "ecosystem-graphs"
_BLANK = {"", "unknown", "unknkown", "unknwon", "none", "n/a", "na", "-", "?"}
_OPENNESS = {"open": "open-weights", "limited": "api-only", "closed": "closed"}
_MODALITY = {
    "text": "text", "code": "code", "image": "image", "images": "image", "vector graphic": "image",
    "depth maps": "image", "audio": "audio", "speech": "audio", "music": "audio", "video": "video",
    "3d": "3d", "robot trajectories": "action", "robotics trajectories": "action",
    "in-game actions": "action", "time-series": "signal",
}  # fmt: skip
_COUNTRY = {
    "usa": "US", "china": "CN", "uk": "GB", "canada": "CA", "south korea": "KR", "israel": "IL",
    "germany": "DE", "japan": "JP", "france": "FR", "singapore": "SG", "uae": "AE", "belgium": "BE",
    "philippines": "PH", "russia": "RU",
}  # fmt: skip
_ORG_SUFFIX = re.compile(r"^(?:inc|ltd|llc|co|corp|gmbh)\.?$", re.IGNORECASE)
_LINK = re.compile(r"\[\[([^\]]*)\]\]\([^)]*\)")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$", re.IGNORECASE)
_SIZE = re.compile(
    r"^(?P<total>\d[\d,]*(?:\.\d+)?\s*(?:[mb]illion|trillion|[KMBT]))\s*(?:param(?:eter)?s?)?(?P<rest>.*)$",
    re.I,
)
_SIZE_KIND = re.compile(r"\(\s*(dense|sparse|moe)(?:\s+model)?\s*\)", re.IGNORECASE)
_ACTIVE = re.compile(
    r"(\d[\d,]*(?:\.\d+)?\s*[KMBT])\s*(?:active\s+param\w*|param\w*\s+(?:for\s+activation|active))", re.I
)
_CO2 = re.compile(
    r"^(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>kg|metric\s+tons?|tonnes?|tons?|t)\s*(?:of\s+)?"
    r"(?:co2|carbon\s+dioxide)(?:e|eq|-eq)?$",
    re.IGNORECASE,
)
_GPU_HOURS = re.compile(r"^(\d[\d,]*(?:\.\d+)?\s*[KM]?)\s*(?:GPU|[AHV]100|A800|H800)[- ]hours?$", re.I)
_FINE_TUNE = r"fine ?tun(?:ed|ing)\s+(?:\w+\s+){{0,4}}?{dep}\b"
_BIOLOGY = re.compile(r"protein|amino acid|genome|\bdna\b|\brna\b|molecul")
_SCIENCE = re.compile(r"climate|weather")
_EXPLAINED = (
    "organization", "created_date", "url", "size", "modality", "access", "license",
    "training_hardware", "training_emissions", "training_time", "dependencies",
)  # fmt: skip


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportedRow]:
    """Yield a row for each model asset in ``path``: one asset file, or a directory of them.

    A directory is read in name order (its ``assets/`` folder if it has one), skipping ``schemas.yaml``.
    ``progress`` is called with the bytes read so far over all files.

    Raises:
        InputError: a file cannot be read, is not UTF-8 or YAML, or is not a list of assets.
    """
    seen: dict[str, str] = {}
    done = 0
    for file in _asset_files(path):
        text = "\n".join(line for _, line in text_lines(file, _offset(progress, done)))
        stat = file.stat()
        done += stat.st_size
        accessed = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC).date()
        for row in _file_rows(file, text, accessed, seen):
            if path.is_dir():
                row.file = file.relative_to(path).as_posix()
            yield row


def _file_rows(file: Path, text: str, accessed: dt.date, seen: dict[str, str]) -> Iterator[ImportedRow]:
    """The rows of one asset file: one per model asset, skipped ones with the reason."""
    for line, asset in _assets(file, text):
        if isinstance(asset, ImportedRow):
            yield asset
            continue
        if not isinstance(asset, dict):
            yield ImportedRow.skip(line, "", "asset is not a mapping")
            continue
        if _text(asset.get("type")).lower() != "model":
            continue
        name = _text(asset.get("name"))
        if not name:
            yield ImportedRow.skip(line, "", "no name")
            continue
        key = name.casefold()
        if key in seen:
            yield ImportedRow.skip(line, name, f"duplicate of {seen[key]}")
            continue
        seen[key] = f"{file.name}:{line}"
        yield _row(asset, name, file.name, line, accessed)


def _offset(progress: Progress | None, start: int) -> Progress | None:
    """``progress`` for one file of several: adds the bytes of the files before it."""
    if progress is None:
        return None
    return lambda read_bytes: progress(start + read_bytes)


def _asset_files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    folder = path / "assets" if (path / "assets").is_dir() else path
    files = sorted(p for p in folder.glob("*.yaml") if p.is_file() and p.name != "schemas.yaml")
    if not files:
        raise InputError(path, 0, "no asset files (*.yaml) here or in assets/; point at ecosystem-graphs")
    return files


def _assets(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    """``(line, asset)`` for each item of the file's top-level list; a bad item becomes a skipped row."""
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark, context = exc.problem_mark or exc.context_mark, exc.context_mark
            line = mark.line + 1 if mark is not None else 0
            where = f" ({exc.context} at line {context.line + 1})" if exc.context and context else ""
            raise InputError(
                path, line, f"not valid YAML: {exc.problem or exc}{where}; fix the file"
            ) from exc
        except yaml.YAMLError as exc:
            raise InputError(path, 0, f"not valid YAML: {exc}; fix the file") from exc
        if not isinstance(root, yaml.SequenceNode):
            kind = "mapping" if isinstance(root, yaml.MappingNode) else "scalar"
            what = f"a {kind}, not a list of assets" if root is not None else "empty"
            line = root.start_mark.line + 1 if root is not None else 1
            raise InputError(path, line, f"top level is {what}; expected an ecosystem-graphs asset file")
        for node in root.value:
            line = node.start_mark.line + 1
            try:
                yield line, loader.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError) as exc:
                yield line, ImportedRow.skip(line, "", f"invalid: {exc}")
    finally:
        loader.dispose()


def _row(asset: dict[str, Any], name: str, file: str, line: int, accessed: dt.date) -> ImportedRow:
    repairs: list[str] = []
    url = _text(_value(asset.get("url")))
    url = url if _URL.match(url) else ""
    arxiv = _ARXIV.search(url)
    inputs, outputs, domain = _modalities(_text(_value(asset.get("modality"))))
    description = _plain(_text(_value(asset.get("description"))))
    listed = _value(asset.get("dependencies"))
    deps = [
        d
        for d in dict.fromkeys(map(_text, listed if isinstance(listed, list) else [listed]))
        if d and d != name
    ]
    fields: dict[str, Any] = {
        "name": name,
        "domains": [domain],
        "modalities": {"input": inputs, "output": outputs} if inputs and outputs else None,
        "released": _released(asset.get("created_date"), repairs),
        "papers": [{"arxiv": arxiv[1]}] if arxiv else [],
        "homepage": None if arxiv else url,
        "parameters": _parameters(_value(asset.get("size")), repairs),
        "training": _training(asset, repairs),
        "license": _text(_value(asset.get("license"))),
        "openness": _OPENNESS.get(_text(_value(asset.get("access"))).lower()),
        "summary": {"en": _truncate(description, 400)} if description else None,
    }
    org = _organizations(_text(_value(asset.get("organization"))), _text(asset.get("nationality")))
    try:
        model = build_model(
            fields,
            source_id=SOURCE_ID,
            accessed=accessed,
            url=url or None,
            citation=f"Stanford CRFM Ecosystem Graphs, assets/{file}:{line}",
            title=name,
            note=_note(asset),
        )
    except RowError as exc:
        return ImportedRow.skip(line, name, f"invalid: {exc}")
    return ImportedRow(
        line=line,
        name=name,
        model=model,
        organizations=org,
        base_models=deps,
        base_relation=_relation(asset, description, deps),
        repairs=repairs,
    )


def _value(field: Any) -> Any:
    """The value of a ``{value, explanation}`` pair, or the field itself when it is a plain value."""
    return field.get("value") if isinstance(field, dict) else field


def _text(value: Any) -> str:
    """``value`` as a stripped string; empty for ``None`` and for the ways upstream writes "unknown"."""
    if value is None or isinstance(value, dict | list):
        return ""
    text = " ".join(str(value).split())
    return "" if text.lower() in _BLANK else text


def _plain(text: str) -> str:
    """Upstream's markdown links ``[[label]](url)`` as their label."""
    return _LINK.sub(r"\1", text)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _organizations(text: str, nationality: str) -> list[OrgRef]:
    names: list[str] = []
    for part in re.split(r"[,;]", text):
        part = re.sub(r"^and\s+", "", part.strip()).rstrip(".").strip()
        if names and _ORG_SUFFIX.match(part):
            names[-1] = f"{names[-1]}, {part}."
        elif part and part.lower() not in _BLANK:
            names.append(part)
    country = _COUNTRY.get(nationality.lower()) if len(names) == 1 else None
    return [OrgRef(name=n, country=country) for n in dict.fromkeys(names)]


def _released(field: Any, repairs: list[str]) -> str | None:
    value = _value(field)
    if isinstance(value, dt.date) or _text(value):
        try:
            return str(PartialDate.model_validate(value))
        except ValidationError:
            repairs.append(f"created_date: {str(value)!r} not a date; left empty")
    return None


def _parameters(value: Any, repairs: list[str]) -> dict[str, Any] | None:
    text = _text(value)
    if not text:
        return None
    match = _SIZE.match(text)
    if match:
        rest = match["rest"]
        sparse = any(k.lower() != "dense" for k in _SIZE_KIND.findall(rest)) or "moe" in rest.lower()
        active = _ACTIVE.search(rest)
        leftover = _ACTIVE.sub(" ", _SIZE_KIND.sub(" ", rest))
        if not re.sub(r"[\s;,]|\bwith\b", "", leftover):
            try:
                params: dict[str, Any] = {"total": parse_count(match["total"])}
                if active:
                    params["active"] = parse_count(active[1])
            except BadArgument:
                pass
            else:
                if sparse:
                    params["note"] = "sparse (mixture of experts)"
                return params
    repairs.append(f"size: {text!r} not a parameter count; left empty")
    return None


def _training(asset: dict[str, Any], repairs: list[str]) -> dict[str, Any] | None:
    training: dict[str, Any] = {}
    hardware = _plain(_text(_value(asset.get("training_hardware"))))
    if hardware:
        training["hardware"] = hardware
    emissions = _text(_value(asset.get("training_emissions")))
    if emissions:
        match = _CO2.match(emissions)
        if match:
            tonnes = float(match["n"].replace(",", ""))
            training["co2e_t"] = tonnes / 1000 if match["unit"].lower() == "kg" else tonnes
        else:
            repairs.append(f"training_emissions: {emissions!r} not in tCO2e; left empty")
    time = _plain(_text(_value(asset.get("training_time"))))
    gpu_hours = _GPU_HOURS.match(time)
    if gpu_hours:
        training["gpu_hours"] = parse_count(gpu_hours[1].replace(" ", ""))
    elif time:
        training["note"] = f"training time: {time}"
    return training or None


def _modalities(text: str) -> tuple[list[str], list[str], str]:
    """``(input, output, domain)`` from ``"input; output"`` (or one list for both)."""
    text = re.sub(r"\([^)]*\)", "", text.lower())
    sides = text.split(";", 1) if ";" in text else [text, text]
    inputs, outputs = (
        [_MODALITY[t] for t in (w.strip() for w in s.split(",")) if t in _MODALITY] for s in sides
    )
    inputs, outputs = list(dict.fromkeys(inputs)), list(dict.fromkeys(outputs))
    kinds = set(inputs) | set(outputs)
    if _BIOLOGY.search(text):
        domain = "biology"
    elif _SCIENCE.search(text):
        domain = "science"
    elif "game" in text:
        domain = "games"
    elif "action" in kinds:
        domain = "robotics"
    elif not kinds:
        domain = "other"
    elif kinds <= {"text", "code"}:
        domain = "nlp"
    elif kinds <= {"image", "video", "3d"}:
        domain = "cv"
    elif kinds <= {"audio"}:
        domain = "speech"
    elif kinds <= {"text", "code", "image", "video", "audio", "3d"}:
        domain = "multimodal"
    else:
        domain = "other"
    return inputs, outputs, domain


def _relation(asset: dict[str, Any], description: str, deps: list[str]) -> str:
    """``fine-tune`` if upstream says so (``adaptation``, or "fine-tuned … <dependency>"), else component."""
    if _text(_value(asset.get("adaptation"))):
        return "fine-tune"
    words = re.sub(r"[^\w]+", " ", description.lower())
    for dep in deps:
        pattern = _FINE_TUNE.format(dep=re.escape(re.sub(r"[^\w]+", " ", dep.lower()).strip()))
        if re.search(pattern, words):
            return "fine-tune"
    return "component"


def _note(asset: dict[str, Any]) -> str:
    explained = []
    for key in _EXPLAINED:
        field = asset.get(key)
        if isinstance(field, dict) and _text(field.get("explanation")):
            explained.append(f"{key}: {_truncate(_plain(_text(field['explanation'])), 120)}")
    note = "ecosystem-graphs asset"
    return _truncate(f"{note}; explanations: {'; '.join(explained)}", 600) if explained else note
