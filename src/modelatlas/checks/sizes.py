"""Parameter counts that disagree with the model's name, its ``config.json``, the Hub, or themselves.

A count is compared with what else says how big the model is: the size written in its name (``-7B``,
``13b``, ``8x7B``, ``62亿``), the count worked out from the catalog's ``config.json`` of the repo it
names, and the Hub's safetensors total recorded by live sync. A count about 10^3 or 10^6 away from such
evidence is a unit slip (``7M`` for ``7B``), reported by ``sizes.unit`` and not by the others.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from modelatlas.analysis.hardware.configs import ModelConfig, model_configs, read_config
from modelatlas.analysis.hardware.params import ParameterCount, count_parameters
from modelatlas.catalog.schema import Model
from modelatlas.catalog.units import format_count, parse_count
from modelatlas.checks.registry import Hit, Severity, catalog_check, model_check
from modelatlas.checks.subjects import Context, Subject
from modelatlas.errors import ConfigError

__all__ = ["NameSize", "name_sizes", "unit_slip"]

#: A size as names write it: 7B, 13b, 1.5B, 175M, 1_5b (1.5B), 7b1 (7.1B, BLOOM), 8x7B (experts x size),
#: A3B (active parameters, Qwen3-30B-A3B). Not inside a word or a number (ESM1b, SeamlessM4T, B2T), not
#: K (``-32k`` is a context length), not followed by ``tokens`` (``3T token checkpoint`` is the data).
_LATIN = re.compile(
    r"(?<![a-z\d.,_])(?P<active>a)?"
    r"(?:(?P<experts>\d+)\s*[x×]\s*)?"
    r"(?P<num>\d+(?:[._]\d+)?)(?P<unit>[mbt])(?P<tail>\d)?"
    r"(?![a-z0-9])"
    r"(?!\s*(?:tokens?|toks?|words?|images?|pairs|samples|steps|hours|px)\b)",
    re.IGNORECASE,
)
_CHINESE = re.compile(r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)?(?P<unit>万亿|千亿|百亿|十亿|亿)")
#: A scale word without a number: 千亿 is "hundreds of billions", the range [100B, 1T).
_SCALES = {"十亿": 10**9, "百亿": 10**10, "千亿": 10**11, "万亿": 10**12}
#: A size right after a data set's name is the data set's: CLIP ViT-H/14 - LAION-2B, JFT-300M.
_DATASET_BEFORE = re.compile(r"(?:laion|jft|ig|webli|coyo|datacomp|yfcc)[-_ ]?$", re.IGNORECASE)
#: Training-data sizes as a record's training text writes them: 5.5B tokens, 6 billion token corpus.
_DATA_TEXT = re.compile(
    r"(\d+(?:\.\d+)?\s*(?:[mbt]|million|billion|trillion))\s*(?:tokens?|words?)\b", re.IGNORECASE
)
#: Where the name of another model inside a name may begin: SPHINX (Llama 2 13B).
_SEPARATORS = " ([,/+-"

#: A name rounds its size: Gemma 2B has 2.5B parameters and Gemma 2 2B 2.6B (the names count no
#: embeddings), Qwen2-VL-7B 8B, a 3B replit-code 2.7B. Over the catalog and the bundled lists a right
#: name is at most about 1.35x off its count, so beyond 1.5x the name and the count disagree.
_NAME_WARN = 1.5
#: Three times or more (a 70B count for a 7B name) is another size altogether; between 1.5x and 3x
#: there are pruned models named after their dense original (SparseOPT-175B has 87.5B).
_NAME_ERROR = 3.0
#: A name size within this of the record's training-data size is the data's: GloVe (32B), 42B tokens.
_DATA_NEAR = 1.5
#: The catalog's counts of its bundled configs come within 6.5% of the stated figures (mT5-XL: 4B
#: stated, 3.74B counted); beyond 10% the figure is not a rounding of the config's count.
_CONFIG_WARN = 1.10
#: Twice an exact count or more: the record names a repo of another size.
_CONFIG_ERROR = 2.0
#: A stated figure within 5% of the count without embeddings leaves them out (LaMDA's 137B).
_EMBEDDINGS_NEAR = 1.05
#: A count from an architecture modelatlas only estimates (``exact=False``) may be a quarter off.
_ESTIMATE_WARN = 1.25
#: The Hub's safetensors total within 10% of the stated figure is a rounding (7B for 6.74B); live
#: conflicts already leave out what is within 5%.
_HUB_WARN = 1.10
#: A variant up to 5% above the model's total is the same size written more precisely.
_ABOVE_TOTAL = 1.05
#: A unit slip: the ratio is within 20% of 10^3 or 10^6.
_SLIP = 1.2

_TOTAL: tuple[str | int, ...] = ("parameters", "total")
_ACTIVE: tuple[str | int, ...] = ("parameters", "active")
#: A count the record states and where: ``(("variants", 2, "parameters"), 13_000_000_000)``.
_Stated = tuple[tuple[str | int, ...], int]


@dataclass(frozen=True, slots=True)
class NameSize:
    """A size written in a name: ``low`` to ``high`` parameters (equal unless ``8x7B`` or ``千亿``)."""

    text: str
    low: int
    high: int
    #: ``A3B`` in ``Qwen3-30B-A3B``: the active parameters of a mixture of experts.
    active: bool = False
    #: Where the size is in the name (start, end).
    span: tuple[int, int] = (0, 0)

    def ratio(self, count: int) -> float:
        """How many times ``count`` is off this size (1.0 when inside its range)."""
        if count <= 0:
            return math.inf
        return max(self.low / count, count / self.high, 1.0)

    def slip(self, count: int) -> int | None:
        """The power of ten by which ``count`` is off this size, if it is a unit slip."""
        return unit_slip(count, self.low if count < self.low else self.high)


def name_sizes(name: str) -> list[NameSize]:
    """The parameter sizes written in ``name``: ``Qwen1.5-7B`` gives 7B (1.5 is a version), ``-32k`` none."""
    found = [_latin(m) for m in _LATIN.finditer(name)]
    found += [size for m in _CHINESE.finditer(name) if (size := _chinese(m)) is not None]
    return found


def _latin(found: re.Match[str]) -> NameSize:
    number = found["num"].replace("_", ".")
    if found["tail"]:
        number = f"{number}.{found['tail']}"
    size = parse_count(f"{number}{found['unit']}")
    experts = int(found["experts"]) if found["experts"] else 1
    return NameSize(found[0], size, size * max(experts, 1), bool(found["active"]), found.span())


def _chinese(found: re.Match[str]) -> NameSize | None:
    if found["num"]:
        size = parse_count(found[0])
        return NameSize(found[0], size, size, span=found.span())
    scale = _SCALES.get(found["unit"])
    return NameSize(found[0], scale, 10 * scale - 1, span=found.span()) if scale else None


def unit_slip(count: int, other: int) -> int | None:
    """The power of ten (3 or 6) by which ``count`` is off ``other``, within 20%; None if neither."""
    return _power(_ratio(count, other)) if count > 0 and other > 0 else None


def _power(ratio: float) -> int | None:
    for power in (3, 6):
        if 10**power / _SLIP <= ratio <= 10**power * _SLIP:
            return power
    return None


def _ratio(one: int, other: int) -> float:
    """How many times the larger of two positive counts is the smaller."""
    return max(one, other) / min(one, other)


def _times(ratio: float) -> str:
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:.0f}x"


# --- sizes in names -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Claim:
    """A name whose sizes no stated count fits: its size nearest the count, and where that count is."""

    spelling: str
    size: NameSize
    count: int
    loc: tuple[str | int, ...]

    @property
    def field(self) -> str:
        return _field(self.loc)

    @property
    def ratio(self) -> float:
        return self.size.ratio(self.count)

    @property
    def bracketed(self) -> bool:
        """Whether the size is in brackets, which often qualify the data: ``GloVe (6B)``, 6B tokens."""
        before = self.spelling[: self.size.span[0]]
        return before.count("(") > before.count(")") or before.count("[") > before.count("]")


def _name_claims(subject: Subject, ctx: Context) -> Iterator[_Claim]:
    """The names whose sizes fit no stated count, each once: the name and aliases against the total
    and the variants' counts (an ``A3B`` against the active count), a variant's name against its own.
    """
    model = subject.model
    stated = list(_stated(model))
    totals = [(loc, count) for loc, count in stated if loc != _ACTIVE]
    active = [(loc, count) for loc, count in stated if loc == _ACTIVE]
    checks: list[tuple[str, bool, list[_Stated]]] = []
    if model.parameters and model.parameters.total:
        checks += [(spelling, False, totals) for spelling in [model.name, *model.aliases]]
    checks += [(spelling, True, active) for spelling in [model.name, *model.aliases]]
    for loc, count in stated:
        if loc[0] == "variants":
            checks.append((model.variants[int(loc[1])].name, False, [(loc, count)]))
    seen: set[tuple[int, int, tuple[str | int, ...]]] = set()
    for spelling, is_active, counts in checks:
        written = [size for size in name_sizes(spelling) if size.active == is_active]
        sizes = [size for size in written if not _data_size(size, spelling, model)]
        claim = _judge(subject, ctx, spelling, sizes, counts)
        if claim is not None and (claim.size.low, claim.size.high, claim.loc) not in seen:
            seen.add((claim.size.low, claim.size.high, claim.loc))
            yield claim


def _judge(
    subject: Subject, ctx: Context, spelling: str, sizes: list[NameSize], counts: list[_Stated]
) -> _Claim | None:
    """The claim of ``spelling`` when none of its sizes fits any of ``counts`` and one is its own."""
    if not counts or any(_fits(subject.model, spelling, s, count) for s in sizes for _, count in counts):
        return None
    own = [size for size in sizes if not _in_another_name(subject, ctx, spelling, size)]
    if not own:
        return None
    pairs = ((size, loc, count) for size in own for loc, count in counts)
    size, loc, count = min(pairs, key=lambda pair: pair[0].ratio(pair[2]))
    return _Claim(spelling, size, count, loc)


def _fits(model: Model, spelling: str, size: NameSize, count: int) -> bool:
    """Whether ``count`` rounds to ``size``; for a mixture of experts, any size from active to total.

    MoE names give the total (DeepSeekMoE-16B), the active count (A2.7B) or the size of the dense model
    of equal compute (ST-MoE-32B, 269B in total).
    """
    if size.ratio(count) <= _NAME_WARN:
        return True
    moe = model.architecture is not None and model.architecture.moe or "moe" in spelling.lower()
    floor = model.parameters.active if model.parameters and model.parameters.active else 0
    return moe and floor / _NAME_WARN <= size.high and size.low <= count * _NAME_WARN


def _data_size(size: NameSize, spelling: str, model: Model) -> bool:
    """Whether ``size`` names training data: after a data set (LAION-2B), or near the record's data size.

    ``ELMo Original (5.5B)`` and ``GloVe (6B)`` are named after their corpora of 5.5B and 6B tokens.
    """
    if _DATASET_BEFORE.search(spelling[: size.span[0]]):
        return True
    return any(_ratio(size.low, data) <= _DATA_NEAR for data in _data_sizes(model))


def _data_sizes(model: Model) -> list[int]:
    """The training-data sizes the record gives: ``training.tokens`` and sizes written before "tokens"."""
    training = model.training
    if training is None:
        return []
    sizes = [training.tokens] if training.tokens else []
    for text in (training.dataset, training.note):
        for found in _DATA_TEXT.finditer(text or ""):
            sizes.append(parse_count(found[1]))
    return [size for size in sizes if size > 0]


def _in_another_name(subject: Subject, ctx: Context, spelling: str, size: NameSize) -> bool:
    """Whether ``size`` ends the name of another record inside ``spelling``: SPHINX (Llama 2 13B)."""
    start, end = size.span
    for at in range(1, start + 1):
        if spelling[at - 1] in _SEPARATORS:
            other = ctx.find(spelling[at:end])
            if other is not None and other.model.id != subject.model.id:
                return True
    return False


def _stated(model: Model) -> Iterator[_Stated]:
    """Every count the record states, with where: the total, the active count, each variant's."""
    if model.parameters and model.parameters.total:
        yield _TOTAL, model.parameters.total
    if model.parameters and model.parameters.active:
        yield _ACTIVE, model.parameters.active
    for i, variant in enumerate(model.variants):
        if variant.parameters:
            yield ("variants", i, "parameters"), variant.parameters


def _field(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc if isinstance(part, str))


@model_check("sizes.name", Severity.warning)
def count_vs_name(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A parameter count that the size in the model's name does not round to (Llama 2-7B with 70B).

    The name and every alias are held against the total and the variants' counts, a variant's name
    against the variant's count; a name fits when any of its sizes does. ``8x7B`` stands for 7B to 56B;
    ``A3B`` is the active count; ``千亿`` is 100B to 1T; a mixture of experts may be named anywhere from
    its active count to its total. No size: a version (``Qwen1.5``), a context (``-32k``), training data
    (``3T tokens``, ``LAION-2B``, a size near the record's own token count), another model's size
    (``SPHINX (Llama 2 13B)``). Names round by up to a third (Gemma 2B has 2.5B): beyond 1.5x is a
    warning, 3x or more, another size altogether, an error unless the size is in brackets, which often
    qualify the data (``GloVe (32B)``). A slip by 10^3 or 10^6 is ``sizes.unit``'s.
    """
    for claim in _name_claims(subject, ctx):
        if claim.ratio <= _NAME_WARN or claim.size.slip(claim.count) is not None:
            continue
        yield Hit(
            claim.field,
            f"{claim.field} {format_count(claim.count)} is {_times(claim.ratio)} off the "
            f"{claim.size.text} in the name {claim.spelling!r}",
            evidence=f"name {claim.spelling!r} says {claim.size.text}; {claim.field}: "
            f"{format_count(claim.count)}",
            loc=claim.loc,
            severity=Severity.error if claim.ratio >= _NAME_ERROR and not claim.bracketed else None,
        )


# --- sizes from config.json -----------------------------------------------------------------------


@lru_cache(maxsize=512)
def _counted(path: Path) -> ParameterCount | None:
    """The parameters counted from the config at ``path``; None when it cannot be counted."""
    try:
        return count_parameters(read_config(path), origin=str(path))
    except ConfigError:
        return None


def _config_counts(model: Model, ctx: Context) -> Iterator[tuple[ModelConfig, ParameterCount]]:
    """Each size of ``model`` that states a count and has a countable bundled config."""
    if ctx.configs_dir is None:
        return
    for config in model_configs(model, ctx.configs_dir):
        counted = _counted(config.path)
        if config.stated_parameters and counted is not None and counted.total > 0:
            yield config, counted


def _config_loc(model: Model, config: ModelConfig) -> tuple[str | int, ...]:
    for i, variant in enumerate(model.variants):
        if variant.name == config.label:
            return ("variants", i, "parameters")
    return _TOTAL


@model_check("sizes.config", Severity.warning, needs=("configs",))
def count_vs_config(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A parameter count more than 10% off the count worked out from the ``config.json`` of its repo.

    Per size: the model's (or the variant's) stated count against the catalog's ``configs/`` file of the
    Hugging Face repo the record names. Stated figures round (7B for 6.74B) and some leave out the
    embeddings (LaMDA's 137B), so a figure within 5% of the count without embeddings passes too. For an
    architecture modelatlas only estimates the bar is 25%. Twice or more off an exact count is an
    error: the record names a repo of another size. A slip by 10^3 or 10^6 is left to ``sizes.unit``.
    """
    model = subject.model
    for config, counted in _config_counts(model, ctx):
        stated = config.stated_parameters or 0
        ratio = _ratio(stated, counted.total)
        bar = _CONFIG_WARN if counted.exact else _ESTIMATE_WARN
        bare = counted.total - counted.groups.get("embedding", 0)
        if ratio <= bar or _power(ratio) is not None or bare > 0 and _ratio(stated, bare) <= _EMBEDDINGS_NEAR:
            continue
        loc = _config_loc(model, config)
        how = "counted" if counted.exact else "estimated"
        yield Hit(
            _field(loc),
            f"{config.label}: stated {format_count(stated)} is {_times(ratio)} off the "
            f"{format_count(counted.total)} {how} from {config.repo}'s config.json",
            evidence=f"configs/{config.repo}.json ({counted.architecture}): {counted.total:,} parameters; "
            f"stated: {format_count(stated)}",
            loc=loc,
            severity=Severity.error if counted.exact and ratio >= _CONFIG_ERROR else None,
        )


# --- the Hub's count (store) ----------------------------------------------------------------------


def _size_rows(ctx: Context, origin: str | None = None) -> Iterator[dict[str, Any]]:
    """Conflict rows about a parameter count (the model's or a variant's), from ``origin`` if given."""
    for row in ctx.conflicts:
        name = str(row.get("field") or "")
        if name == "parameters" or name.startswith("variants.") and name.endswith(".parameters"):
            if origin is None or row.get("origin") == origin:
                yield row


def _row_ratio(row: dict[str, Any]) -> float:
    """How many times a conflict's two counts are apart (the row keeps |log10| of their ratio)."""
    return float(10 ** float(row.get("magnitude") or 0))


@catalog_check("sizes.hub", Severity.warning, needs=("store",))
def count_vs_hub(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """A parameter count more than 10% off the safetensors total the Hugging Face Hub gives for its repo.

    Read from the live conflicts the store works out (a Hub repo's count against the model's or its
    variant's, beyond 5%), so nothing is counted twice; within 10% is a rounding (7B for 6.74B). A slip
    by 10^3 or 10^6 is left to ``sizes.unit``.
    """
    for row in _size_rows(ctx, "hf"):
        subject = ctx.record(str(row["model_id"]))
        ratio = _row_ratio(row)
        if subject is None or ratio <= _HUB_WARN or _power(ratio) is not None:
            continue
        loc = _conflict_loc(subject.model, row)
        yield Hit(
            _field(loc),
            f"stated {row['kept']} is {_times(ratio)} off the Hub's safetensors total "
            f"{row['other']} for {row.get('source_url')}",
            evidence=f"{row.get('source_url')}: {row['other']} (safetensors); stated: {row['kept']}",
            loc=loc,
            subject=subject,
        )


# --- active and total -----------------------------------------------------------------------------


@model_check("sizes.active", Severity.warning)
def active_vs_total(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """Active parameters above the total, a variant above the model's total, or an MoE without fewer active.

    The schema rejects ``active > total`` in a catalog file, but a merged record is not validated again,
    so it is an error here. A variant larger than the total means the total is not the largest size.
    A mixture of experts (``architecture.moe``) whose active count equals its total is a warning; one
    with no active count is listed (info) unless the parameters' note says why; a dense architecture
    with fewer active parameters than total is a warning (a missing ``moe``, or a wrong count).
    """
    model = subject.model
    params = model.parameters
    total = params.total if params else None
    active = params.active if params else None
    if total and active and active > total:
        yield Hit(
            "parameters.active",
            f"active parameters {format_count(active)} exceed the total {format_count(total)}",
            evidence=f"parameters.active: {active:,}; parameters.total: {total:,}",
            severity=Severity.error,
        )
    if total:
        yield from _variants_above(model, total)
    if model.architecture is not None and total:
        yield from _moe(model, total, active)


def _variants_above(model: Model, total: int) -> Iterator[Hit]:
    for i, variant in enumerate(model.variants):
        if variant.parameters and variant.parameters > total * _ABOVE_TOTAL:
            yield Hit(
                "variants.parameters",
                f"variant {variant.name} has {format_count(variant.parameters)}, more than the model's "
                f"total {format_count(total)}",
                evidence=f"{variant.name}: {format_count(variant.parameters)}; parameters.total: "
                f"{format_count(total)}",
                loc=("variants", i, "parameters"),
            )


def _moe(model: Model, total: int, active: int | None) -> Iterator[Hit]:
    moe = model.architecture.moe if model.architecture else False
    note = (model.parameters.note or "") if model.parameters else ""
    if moe and active is None and not re.search(r"activ", note, re.IGNORECASE):
        yield Hit(
            "parameters.active",
            f"a mixture of experts with {format_count(total)} in total but no active parameter count",
            evidence=f"architecture.moe: true; parameters.total: {format_count(total)}; no parameters.active",
            loc=("parameters",),
            severity=Severity.info,
        )
    elif moe and active is not None and active >= total:
        yield Hit(
            "parameters.active",
            f"a mixture of experts with as many active parameters as in total ({format_count(total)})",
            evidence=f"architecture.moe: true; parameters.active: {format_count(active)}; "
            f"total: {format_count(total)}",
        )
    elif not moe and active is not None and active < total:
        yield Hit(
            "parameters.active",
            f"{format_count(active)} active of {format_count(total)}, but the architecture is not a "
            "mixture of experts",
            evidence=f"architecture.moe: false; parameters.active: {format_count(active)}; "
            f"total: {format_count(total)}",
        )


# --- unit slips -----------------------------------------------------------------------------------


@model_check("sizes.unit", Severity.warning)
def unit_slips(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A parameter count about 10^3 or 10^6 off the name's size, the config's count or another source's.

    Within 20% of 10^3 or 10^6: ``Mamba-24M`` stated as 23.4B, or a config counting 6.7B for a stated
    6.7M, a unit written as M for B (or B for T). Against the name or the config it is an error;
    against another source's value for the same count (a conflict an import or the Hub recorded in the
    store) a warning, as the other source may be the one that slipped.
    """
    model = subject.model
    for claim in _name_claims(subject, ctx):
        power = claim.size.slip(claim.count)
        if power is not None:
            against = f"the {claim.size.text} in the name {claim.spelling!r}"
            evidence = f"name {claim.spelling!r} says {claim.size.text}"
            yield _slip(claim.loc, claim.count, power, against, evidence)
    for config, counted in _config_counts(model, ctx):
        stated = config.stated_parameters or 0
        power = unit_slip(stated, counted.total)
        if power is not None:
            against = f"the {format_count(counted.total)} counted from {config.repo}'s config.json"
            evidence = f"configs/{config.repo}.json: {counted.total:,} parameters"
            yield _slip(_config_loc(model, config), stated, power, against, evidence)
    yield from _source_slips(subject, ctx)


def _slip(loc: tuple[str | int, ...], stated: int, power: int, against: str, evidence: str) -> Hit:
    """A unit slip against the name or the config: an error."""
    name = _field(loc)
    return Hit(
        name,
        f"{name} {format_count(stated)} is about 10^{power} off {against}: a unit slip",
        evidence=f"{evidence}; {name}: {format_count(stated)}",
        loc=loc,
        severity=Severity.error,
    )


def _source_slips(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """Unit slips against another source's value: the store's conflicts on this model's counts."""
    for row in _size_rows(ctx):
        power = _power(_row_ratio(row))
        if row.get("model_id") != subject.model.id or power is None:
            continue
        loc = _conflict_loc(subject.model, row)
        source = row.get("source_url") or row.get("source_id")
        yield Hit(
            _field(loc),
            f"stated {row['kept']} is about 10^{power} off the {row['other']} that {source} gives: "
            "a unit slip on one side",
            evidence=f"{source} ({row.get('origin')}): {row['field']} {row['other']}; stated: {row['kept']}",
            loc=loc,
        )


def _conflict_loc(model: Model, row: dict[str, Any]) -> tuple[str | int, ...]:
    """The count a conflict row is about: a variant's (by field or Hub repo), else the model's total."""
    name = str(row["field"])
    if name.startswith("variants."):
        wanted = name.removeprefix("variants.").removesuffix(".parameters")
        for i, variant in enumerate(model.variants):
            if variant.name == wanted:
                return ("variants", i, "parameters")
    if row.get("origin") == "hf":
        repo = str(row.get("source_url") or "").removeprefix("https://huggingface.co/")
        for i, variant in enumerate(model.variants):
            if repo in variant.weights:
                return ("variants", i, "parameters")
    kept = str(row.get("kept") or "")
    return next((loc for loc, count in _stated(model) if format_count(count) == kept), _TOTAL)
