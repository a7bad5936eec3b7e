"""Epoch AI's real rows merged into the bundled catalog: what must merge, what must stay apart, and what
stays an estimate (issue #16). The rows are excerpts of notable_ai_models.csv (July 2026) and
all_ai_models.csv, imported in that order as `bench/import_all.py` does."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from modelatlas.catalog.loader import Catalog
from modelatlas.catalog.schema import BaseEdge, Model
from modelatlas.catalog.validate import check, load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources.importers import paper_table
from modelatlas.sources.importers.epoch import read
from modelatlas.sources.merge import Merger, Outcome
from modelatlas.sources.rows import OrgRef
from tests.catalog_support import seed_era

EPOCH = Path(__file__).parent / "fixtures" / "epoch"


def _seed_era() -> Catalog:
    """The bundled catalog without its records of models made public since 2023-08 (but Phi-4-mini,
    whose openness is the point of a test), so that these rows create the recent models (DeepSeek-R1,
    QwQ-32B …) and their base-model column has to make lineage."""
    return seed_era(load_valid_catalog(bundled_catalog()), keep=frozenset({"phi-4-mini"}))


@pytest.fixture(scope="module")
def merged() -> tuple[Merger, dict[str, Outcome]]:
    merger = Merger(_seed_era())
    outcomes: dict[str, Outcome] = {}
    for name in ("merge_notable.csv", "merge_all.csv"):
        path = EPOCH / name
        for outcome in merger.apply(f"epoch:{name}", path, read(path)):
            outcomes[outcome.name] = outcome
    return merger, outcomes


def _model(merged: tuple[Merger, dict[str, Outcome]], name: str) -> Model:
    merger, outcomes = merged
    model_id = outcomes[name].model_id
    assert model_id is not None
    return merger.model(model_id)


@pytest.mark.parametrize(
    "names",
    [
        ("NVLM-D 72B", "NVLM-H 72B", "NVLM-X 72B"),  # one paper, three architectures
        ("Qwen3.5-Omni-Plus", "Qwen3.5-Omni-Flash"),  # one report, two tiers
        ("SigLIP 400M", "SigLiT"),  # one paper, two models
        ("Flexi-JEST++", "JEST++"),  # one paper, a method and its variant
    ],
)
def test_models_sharing_a_paper_stay_apart(
    merged: tuple[Merger, dict[str, Outcome]], names: tuple[str]
) -> None:
    ids = [merged[1][n].model_id for n in names]
    assert len(set(ids)) == len(ids), ids
    assert [_model(merged, n).name for n in names] == list(names)


def test_a_dated_name_of_the_first_release_is_the_model(merged: tuple[Merger, dict[str, Outcome]]) -> None:
    """GPT-4 (Mar 2023) is gpt-4; its rumoured 1.8T is Epoch's estimate, not a parameter count."""
    outcome = merged[1]["GPT-4 (Mar 2023)"]
    assert (outcome.action, outcome.model_id) == ("merged", "gpt-4")
    assert outcome.matched_by == "dated name: GPT-4's first release (2023-03)"
    gpt4 = merged[0].model("gpt-4")
    assert gpt4.parameters is None or gpt4.parameters.total is None
    (params,) = [e for e in gpt4.estimates if e.field == "parameters"]
    assert (params.value, params.by, params.method, params.confidence) == (
        1.8e12,
        "Epoch AI",
        "rumour",
        "likely",
    )
    assert "GPT-4 (Mar 2023)" in gpt4.aliases
    assert merged[0].matcher.by_name("GPT-4 (Mar 2023)") is not None


def test_a_later_dated_name_is_a_version(merged: tuple[Merger, dict[str, Outcome]]) -> None:
    june = _model(merged, "GPT-4 (Jun 2023)")
    assert (june.id, june.version, june.version_of) == ("gpt-4-jun-2023", "2023-06", "gpt-4")
    assert [e.field for e in june.estimates if e.method == "rumour"] == ["parameters"]
    assert june.base_models == []  # its row names GPT-4 as the base: that is version_of, not a fine-tune


def test_a_model_known_only_by_dated_names(merged: tuple[Merger, dict[str, Outcome]]) -> None:
    """Three Gemini 2.5 Pro rows, newest first in the file: the oldest is the model, the others versions."""
    merger, outcomes = merged
    model = merger.model("gemini-2.5-pro")
    assert (model.name, str(model.released), model.version_of) == ("Gemini 2.5 Pro", "2025-03-25", None)
    for month, name in (("2025-05", "Gemini 2.5 Pro (May 2025)"), ("2025-06", "Gemini 2.5 Pro (Jun 2025)")):
        version = _model(merged, name)
        assert (version.version, version.version_of, version.name) == (month, "gemini-2.5-pro", name)
    assert merger.matcher.by_name("Gemini 2.5 Pro").model_id == "gemini-2.5-pro"  # type: ignore[union-attr]
    found = merger.matcher.by_name("Gemini 2.5 Pro (Jun 2025)")
    assert found is not None and found.model_id == "gemini-2.5-pro-jun-2025"
    assert outcomes["Gemini 2.5 Pro (Mar 2025)"].model_id == "gemini-2.5-pro"


def test_a_variants_row_fills_the_variant_not_the_family(merged: tuple[Merger, dict[str, Outcome]]) -> None:
    """Llama 2-7B's compute is the 7B's: an estimate on that variant, no conflict with the family."""
    outcome = merged[1]["Llama 2-7B"]
    assert (outcome.action, outcome.model_id, outcome.conflicts) == ("merged", "llama-2", [])
    llama2 = merged[0].model("llama-2")
    assert llama2.training is not None and llama2.training.compute_flop is None
    assert {(e.field, e.variant) for e in llama2.estimates} == {
        ("training.compute_flop", "Llama-2-7B"),
        ("training.cost_usd", "Llama-2-7B"),
    }
    assert str(llama2.released) == "2023-07-18"


def test_lineage_from_the_base_model_column(merged: tuple[Merger, dict[str, Outcome]]) -> None:
    """DeepSeek-R1 names DeepSeek-V3, which comes later in the file; QwQ-32B names a row of the next file."""
    assert BaseEdge(model="deepseek-v3", relation="fine-tune") in _model(merged, "DeepSeek-R1").base_models
    qwq = _model(merged, "QwQ-32B")
    assert [e.model for e in qwq.base_models] == [merged[1]["Qwen2.5-Coder (32B)"].model_id]
    assert "base_models" in next(s for s in qwq.sources if s.id == qwq.sources[0].id).fields
    assert "base model" not in merged[1]["DeepSeek-R1"].detail


def test_speculative_counts_are_estimates_unless_the_name_states_them(
    merged: tuple[Merger, dict[str, Outcome]],
) -> None:
    """QwQ-32B's row is Speculative, but its 32.5B is what the name (and Qwen's card) says: stated; its
    compute stays Epoch's speculative estimate. GPT-4's rumoured count is an estimate (above)."""
    qwq = _model(merged, "QwQ-32B")
    assert qwq.parameters is not None and qwq.parameters.total == 32_500_000_000
    assert [(e.field, e.confidence) for e in qwq.estimates] == [("training.compute_flop", "speculative")]
    v3 = _model(merged, "DeepSeek-V3")
    assert v3.parameters is not None and v3.parameters.total == 671_000_000_000


def test_names_lose_line_breaks_and_hosted_access_is_its_own_openness(
    merged: tuple[Merger, dict[str, Outcome]],
) -> None:
    assert "Cosmos-1.0-Diffusion-14B Video2World" in merged[1]
    assert _model(merged, "SWE 1.6").openness == "hosted"


def test_the_merged_catalog_is_valid(merged: tuple[Merger, dict[str, Outcome]]) -> None:
    catalog: Catalog = merged[0].catalog()
    named = "the file must be named"  # imported models live in the input file, not in <id>.yaml
    assert [p for p in check(catalog) if not p.message.startswith(named)] == []


_UNIT = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
_FLAGGED = re.compile(
    r"rumou?r|leak|hearsay|unconfirmed|speculat|guess|assum|estimat|reportedly|extrapolat", re.I
)


def test_every_guessed_epoch_count_is_an_estimate() -> None:
    """Over the whole July 2026 notable export: a row that is Speculative, or whose parameter notes call
    the count a rumour, leak, guess, assumption or estimate, states no count; every other row does."""
    path = EPOCH / "notable_ai_models_2026-07.csv"
    with path.open(newline="") as handle:
        source = {r["Model"].strip(): r for r in csv.DictReader(handle)}
    guessed = stated = 0
    for row in read(path):
        if row.model is None:
            continue
        cells = source.get(row.name) or source[next(k for k in source if " ".join(k.split()) == row.name)]
        if not cells["Parameters"]:
            continue
        total = row.model.parameters.total if row.model.parameters else None
        estimates = [e.value for e in row.model.estimates if e.field == "parameters"]
        in_name = any(  # the name states the size: "Mistral 7B", "Transformer-XL DeFINE (141M)"
            abs(float(n) * _UNIT[u.upper()] / float(cells["Parameters"]) - 1) <= 0.1
            for n, u in re.findall(r"(?<![\w.])(\d+(?:\.\d+)?)\s*([KMBT])\b", row.name, re.IGNORECASE)
        )
        speculative = cells["Confidence"] == "Speculative" and not in_name
        if speculative or _FLAGGED.search(cells["Parameters notes"]):
            guessed += 1
            assert (total, estimates) == (None, [round(float(cells["Parameters"]))]), row.name
        else:
            stated += 1
            assert (total, estimates) == (round(float(cells["Parameters"])), []), row.name
    assert (guessed, stated) == (73, 635)


def test_a_variant_row_fills_only_its_variant_and_a_round_size_is_no_conflict(
    merged: tuple[Merger, dict[str, Outcome]],
) -> None:
    """VGG19's and VGG16's compute and cost go to those variants, never to the family record; T5-3B's
    exact 2.8B is what the paper's round "3B" says (within its one significant digit), not a conflict."""
    merger, outcomes = merged
    assert [(outcomes[n].model_id, outcomes[n].matched_by) for n in ("VGG19", "VGG16")] == [
        ("vgg", "variant name 'VGG-19'"),
        ("vgg", "variant name 'VGG-16'"),
    ]
    vgg = merger.model("vgg")
    assert vgg.training is not None and (vgg.training.compute_flop, vgg.training.cost_usd) == (None, None)
    assert sorted((e.field, e.variant, e.value) for e in vgg.estimates) == [
        ("training.compute_flop", "VGG-16", 1.2291e19),
        ("training.compute_flop", "VGG-19", 1.1e19),
        ("training.cost_usd", "VGG-16", pytest.approx(239.2376655)),
    ]
    t5 = outcomes["T5-3B"]
    assert (t5.action, t5.model_id, t5.conflicts) == ("merged", "t5", [])
    assert next(v.parameters for v in merger.model("t5").variants if v.name == "T5-3B") == 3_000_000_000


def test_internimage_is_its_own_model_not_intern(merged: tuple[Merger, dict[str, Outcome]]) -> None:
    """The 2022 InternImage paper's row goes to internimage; INTERN (2021) keeps no part of it."""
    outcome = merged[1]["InternImage"]
    assert (outcome.model_id, outcome.matched_by) == ("internimage", "id")
    intern = merged[0].model("intern")
    assert "InternImage" not in intern.aliases and intern.estimates == []
    assert [s.id for s in intern.sources if s.id.startswith("epoch")] == []


def test_openness_is_filled_only_with_a_claim_about_the_same_model(
    merged: tuple[Merger, dict[str, Outcome]],
) -> None:
    """Epoch's "Open weights" for ERNIE 3.0 is about the small models distilled from it (a dispute on
    record), so the 10B model's openness stays unknown; Phi-4 Mini's "API access" does not overwrite
    Microsoft's MIT-licensed weights, it is recorded as a conflict."""
    merger, outcomes = merged
    ernie = outcomes["ERNIE 3.0"]
    assert ernie.model_id == "ernie-3" and "+openness" not in ernie.detail
    assert merger.model("ernie-3").openness is None
    assert "openness open-weights is already disputed in the catalog" in ernie.detail
    phi = outcomes["Phi-4 Mini"]
    assert (phi.action, phi.model_id) == ("conflict", "phi-4-mini")
    assert [(c.field, c.kept, c.other) for c in phi.conflicts] == [("openness", "open-weights", "api-only")]
    assert merger.model("phi-4-mini").openness == "open-weights"


# --- one name, two models (the audit of 100 random merges) ------------------------------------------

LISTS = Path(__file__).parent / "fixtures" / "lists"


@pytest.fixture(scope="module")
def listed() -> tuple[Merger, list[Outcome]]:
    """Real rows of wgwang/awesome-LLMs-In-China, then Epoch's Table-GPT and DDPM (2024) rows and
    the two MiniMax-M1 rows, merged into the bundled catalog."""
    merger = Merger(load_valid_catalog(bundled_catalog()))
    rows = merger.apply(
        "list", LISTS / "wgwang_merge_rows.md", paper_table.read(LISTS / "wgwang_merge_rows.md")
    )
    for name in ("strangers_all.csv", "minimax_large_scale.csv"):
        rows += merger.apply(f"epoch:{name}", EPOCH / name, read(EPOCH / name))
    return merger, rows


def _outcomes(listed: tuple[Merger, list[Outcome]], name: str) -> list[Outcome]:
    return [o for o in listed[1] if o.name == name]


def test_a_name_cell_listing_several_models_is_one_row_each(listed: tuple[Merger, list[Outcome]]) -> None:
    """``[盘古](…),[盘古气象](…),[盘古-Σ](…)``: PanGu-α keeps only its own code link's row."""
    names = [o.name for o in listed[1] if o.line == 5]
    assert names == ["盘古", "盘古气象", "盘古-Σ"]
    [pangu] = _outcomes(listed, "盘古")[:1]
    assert (pangu.action, pangu.model_id) == ("merged", "pangu-alpha")
    others = {o.model_id for o in listed[1] if o.line == 5 and o.name != "盘古"}
    assert "pangu-alpha" not in others and len(others) == 2
    assert [o.name for o in listed[1] if o.line == 16] == ["PaLM2", "Bard", "Gemini"]  # 多模态大模型 dropped
    assert [(o.action, o.model_id) for o in listed[1] if o.line == 16][:2] == [
        ("new", "palm2"),
        ("merged", "bard"),
    ]


def test_one_list_naming_one_name_for_two_makers_lists_two_models(
    listed: tuple[Merger, list[Outcome]],
) -> None:
    """星汉 of 大汉软件 and 星汉 of 大华股份 are two models; 循环智能's 盘古 is not Huawei's."""
    first, second = _outcomes(listed, "星汉")
    assert first.action == second.action == "new" and first.model_id != second.model_id
    huawei, other = _outcomes(listed, "盘古")
    assert huawei.model_id == "pangu-alpha" and (other.action, other.model_id) != ("merged", "pangu-alpha")


def test_a_shared_name_alone_does_not_join_strangers(listed: tuple[Merger, list[Outcome]]) -> None:
    """Microsoft's Table-GPT (arXiv, US) is not Zhejiang University's TableGPT (GitHub, CN); the 2024
    gene-expression DDPM of Paris-Saclay is not Berkeley's 2020 DDPM."""
    [zju] = _outcomes(listed, "TableGPT")
    [microsoft] = _outcomes(listed, "Table-GPT")
    assert zju.action == microsoft.action == "new" and zju.model_id != microsoft.model_id
    assert listed[0].model(microsoft.model_id).organizations == ["microsoft"]
    [ddpm] = _outcomes(listed, "DDPM")
    assert ddpm.action == "new" and ddpm.model_id != "ddpm"
    assert str(listed[0].model("ddpm").released) == "2020-06-19"


def test_names_apart_by_a_number_that_is_no_size_are_two_models(listed: tuple[Merger, list[Outcome]]) -> None:
    """MiniMax-M1-40k and -80k (thinking budgets of one 456B model) share a paper and a repo: the catalog
    lists them as two variants of MiniMax-M1, and each row goes to its own, neither to the other."""
    [m80] = _outcomes(listed, "MiniMax-M1-80k")
    [m40] = _outcomes(listed, "MiniMax-M1-40k")
    assert (m80.model_id, m80.matched_by) == ("minimax-m1", "variant name 'MiniMax-M1-80k'")
    assert (m40.model_id, m40.matched_by) == ("minimax-m1", "variant name 'MiniMax-M1-40k'")
    assert m80.conflicts == m40.conflicts == []


@pytest.mark.parametrize(
    ("spellings", "org_id"),
    [
        (("Z.ai (Zhipu AI)", "Zhipu AI", "智谱"), "zhipu"),
        (("Carnegie Mellon University (CMU)", "CMU"), "cmu"),
        (("Massachusetts Institute of Technology (MIT)", "MIT"), "mit"),
        (("University of California (UC) Berkeley", "UC Berkeley"), "uc-berkeley"),
        (("University of Montreal / Université de Montréal",), "univ-montreal"),
        (("Chinese University of Hong Kong (CUHK)", "CUHK"), "cuhk"),
        (("Beijing Academy of Artificial Intelligence / BAAI", "BAAI", "智源人工智能研究院"), "baai"),
        (("DeepSeek", "深度求索"), "deepseek"),
    ],
)
def test_one_organisation_one_id(spellings: tuple[str, ...], org_id: str) -> None:
    """Epoch's spellings (and the Chinese names lists use) of one organisation all place it on one
    catalog id, so `list --org zhipu` finds GLM-4.5 and 智谱 finds Zhipu's models."""
    merger = Merger(load_valid_catalog(bundled_catalog()))
    assert {s: merger._org_ids([OrgRef(name=s)], []) for s in spellings} == {s: [org_id] for s in spellings}
    assert merger.unplaced == {}


def test_a_different_organisation_of_a_like_name_stays_apart() -> None:
    """HEC Montréal, Mila and UMass are not the University of Montreal or MIT."""
    merger = Merger(load_valid_catalog(bundled_catalog()))
    for name in (
        "HEC Montreal",
        "University of Massachusetts Amherst",
        "Lawrence Berkeley National Laboratory",
    ):
        assert merger._org_ids([OrgRef(name=name)], []) not in (["univ-montreal"], ["mit"], ["uc-berkeley"])


def test_catalog_dates_follow_one_convention() -> None:
    """released = first public availability; a paper's date is its own fact (docs/catalog.md, Dates)."""
    models = {e.record.id: e.record for e in load_valid_catalog(bundled_catalog()).models}
    assert str(models["hyperclova"].released) == "2021-05"  # unveiled May 2021; the arXiv paper is 2021-09
    assert str(models["palm"].released) == "2022-04-04"  # the blog post; never made available
    lvdm = models["lvdm"]
    assert str(lvdm.released) == "2023-05-02"  # weights and inference code; the seed's 2023-04-06 is disputed
    assert ("released", "2023-04-06") in [(d.field, d.value) for d in lvdm.disputes]
    glam = models["glam"]
    assert glam.papers and str(glam.papers[0].date) != str(glam.released)


def test_epoch_notability_is_carried_once_per_judge(merged: tuple[Merger, dict[str, Outcome]]) -> None:
    """DeepSeek-R1's row meets two of Epoch's criteria; Llama 2-7B's row makes Llama 2 notable; Phi-4
    Mini's row (all-models export, no criteria) and a curated model no row names stay without. The same
    judgement in a second export (the notable excerpt again) is not repeated."""
    merger, _ = merged
    r1 = _model(merged, "DeepSeek-R1")
    (judged,) = r1.notability
    assert (judged.by, judged.criteria) == ("Epoch AI", ["Training cost", "SOTA improvement"])
    assert judged.source == r1.sources[0].id
    assert [n.criteria for n in merger.model("llama-2").notability] == [
        ["Historical significance", "Significant use", "Highly cited"]
    ]
    assert merger.model("phi-4-mini").notability == []
    assert merger.model("gpt-2").notability == []
    again = EPOCH / "merge_notable.csv"
    list(merger.apply("epoch:again.csv", again, read(again)))
    assert len(merger.model("llama-2").notability) == 1
    assert len(merger.model(r1.id).notability) == 1
