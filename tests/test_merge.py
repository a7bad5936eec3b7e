"""modelatlas.sources.merge: imported rows fill gaps, disagreements become disputes, new rows new models.

Hand-made rows run against the tiny fixture catalog (whose values are known exactly); the seeds' own rows
run against the bundled catalog.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from modelatlas.catalog.loader import Catalog
from modelatlas.catalog.schema import BaseEdge, Dispute, Organization
from modelatlas.catalog.validate import check, validate_catalog
from modelatlas.sources import _compare as C
from modelatlas.sources import merge as merge_module
from modelatlas.sources.importers import paper_table, seed_sections
from modelatlas.sources.merge import Conflict, Merger, Outcome
from modelatlas.sources.rows import ImportedRow, OrgRef, build_model

CATALOG = Path(__file__).resolve().parents[1] / "catalog"
SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SEED_000 = SEEDS / "000_16e93d9b45c0ff17.txt"
SEED_003 = SEEDS / "003_e7c861412d09de26.txt"
SEED_004 = SEEDS / "004_9af41147fb1b55ff.txt"
LIST_URL = "https://example.org/list.md"
INPUT = Path("list.md")


def row(
    name: str,
    line: int = 1,
    *,
    orgs: tuple[str, ...] = (),
    bases: tuple[str, ...] = (),
    relation: str = "fine-tune",
    repairs: tuple[str, ...] = (),
    **fields: Any,
) -> ImportedRow:
    """An imported row as an importer yields it: the model has one source, the row."""
    model = build_model(
        {"name": name, "domains": ["nlp"], **fields},
        source_id="list",
        accessed=dt.date(2024, 1, 2),
        url=LIST_URL,
    )
    return ImportedRow(
        line=line,
        name=name,
        model=model,
        organizations=[OrgRef(name=o) for o in orgs],
        base_models=list(bases),
        base_relation=relation,
        repairs=list(repairs),
    )


def apply_one(merger: Merger, imported: ImportedRow) -> Outcome:
    [outcome] = merger.apply("list", INPUT, [imported])
    return outcome


@pytest.fixture
def tiny(tiny_catalog: Path) -> Merger:
    catalog = validate_catalog(tiny_catalog)
    assert catalog.problems == []
    return Merger(catalog)


@pytest.fixture(scope="module")
def bundled_catalog() -> Catalog:
    catalog = validate_catalog(CATALOG)
    assert catalog.problems == []
    return catalog


@pytest.fixture
def bundled(bundled_catalog: Catalog) -> Merger:
    """A merger over the bundled catalog; merging never changes the catalog it was given."""
    return Merger(bundled_catalog)


def seed_row(path: Path, name: str) -> ImportedRow:
    reader = seed_sections.read if path == SEED_000 else paper_table.read
    return next(r for r in reader(path) if r.name == name)


# --- filling ---------------------------------------------------------------------------------------


def test_fills_empty_fields_and_names_exactly_them_in_a_new_source(tiny: Merger) -> None:
    before = tiny.model("llama")
    outcome = apply_one(
        tiny,
        row(
            "LLaMa",
            7,
            code=["https://github.com/facebookresearch/llama"],
            homepage="https://ai.meta.com/llama/",
            license="GPL-3.0",
            parameters={"total": "65B"},  # agrees with 65.2B: not filled, not named
            released="2023-02",  # agrees with 2023-02-24
        ),
    )
    assert (outcome.action, outcome.model_id, outcome.matched_by) == ("merged", "llama", "id")
    assert outcome.detail == "+homepage, +license, +code"
    assert outcome.conflicts == []
    after = tiny.model("llama")
    assert after.code == ["https://github.com/facebookresearch/llama"]
    assert (after.homepage, after.license) == ("https://ai.meta.com/llama/", "GPL-3.0")
    assert after.parameters == before.parameters and after.released == before.released
    assert after.sources[:-1] == before.sources
    source = after.sources[-1]
    assert (source.id, source.url, source.accessed) == ("list-l7", LIST_URL, dt.date(2024, 1, 2))
    assert source.fields == ["code", "homepage", "license"]
    assert after.disputes == before.disputes
    assert tiny.changed == {"llama"} and set(tiny.created_by) == set()


def test_fills_parameters_and_release_when_the_catalog_has_none(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("FreedomGPT", 3, parameters={"total": "7B"}, context_length=2048))
    assert (outcome.action, outcome.detail) == ("merged", "+parameters, +context_length")
    model = tiny.model("freedomgpt")
    assert model.parameters is not None and model.parameters.total == 7_000_000_000
    assert model.context_length == 2048
    assert model.sources[-1].fields == ["context_length", "parameters"]


def test_fills_a_training_field_and_keeps_the_others(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("LLaMA", training={"dataset": "CommonCrawl, C4, GitHub, Wikipedia"}))
    assert (outcome.action, outcome.detail) == ("merged", "+training.dataset")
    training = tiny.model("llama").training
    assert training is not None
    assert training.dataset == "CommonCrawl, C4, GitHub, Wikipedia"
    assert (training.tokens, training.gpu_hours) == (1_400_000_000_000, 1022362)
    assert tiny.model("llama").sources[-1].fields == ["training.dataset"]


def test_a_row_that_adds_nothing_changes_nothing(tiny: Merger) -> None:
    before = tiny.model("llama")
    outcome = apply_one(tiny, row("LLaMA", parameters={"total": "65B"}, released="2023"))
    assert (outcome.action, outcome.detail, outcome.conflicts) == ("merged", "nothing new", [])
    assert tiny.model("llama") == before
    assert tiny.changed == set()


def test_known_code_link_is_not_added_twice(bundled: Merger) -> None:
    before = bundled.model("llama").code
    outcome = apply_one(bundled, row("LLaMA", code=["https://GitHub.com/facebookresearch/llama.git"]))
    assert outcome.detail == "nothing new"
    assert bundled.model("llama").code == before


def test_repairs_are_reported_with_the_outcome(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("LLaMA", repairs=("dropped 1 empty extra cell(s) (stray pipes)",)))
    assert outcome.detail == "nothing new; dropped 1 empty extra cell(s) (stray pipes)"


# --- conflicts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "action"),
    [
        ("65.2B", "merged"),
        ("66B", "merged"),
        ("68B", "merged"),
        ("62B", "merged"),  # 4.9% below
        ("70B", "conflict"),  # 7% above
        ("60B", "conflict"),  # 8% below
        ("175B", "conflict"),
    ],
)
def test_parameters_conflict_beyond_five_percent(tiny: Merger, total: str, action: str) -> None:
    outcome = apply_one(tiny, row("LLaMA", parameters={"total": total}))
    assert outcome.action == action
    params = tiny.model("llama").parameters
    assert params is not None and params.total == 65_200_000_000  # the catalog value is kept


def test_parameter_conflict_is_recorded_as_a_dispute_with_its_source(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("LLaMA", 12, parameters={"total": "175B"}))
    assert outcome.conflicts == [
        Conflict(
            "llama",
            "parameters",
            "65.2B",
            "175B",
            "list-l12",
            LIST_URL,
            "list:12",
            pytest.approx(math.log10(175 / 65.2)),  # type: ignore[arg-type]
        )
    ]
    assert outcome.detail == "nothing new; differs on parameters (175B vs 65.2B)"
    model = tiny.model("llama")
    assert model.disputes == [
        Dispute(field="parameters", value=175_000_000_000, source="list-l12", note="LLaMA")
    ]
    # the dispute's source is on the model, backing no field
    assert model.sources[-1].id == "list-l12" and model.sources[-1].fields == []
    assert outcome.conflicts[0].row()["kept"] == "65.2B"


@pytest.mark.parametrize(
    ("model_id", "released", "action"),
    [
        # day precision on both sides: up to a month (31 days) apart agrees
        ("llama", "2023-03-20", "merged"),
        ("llama", "2023-01-25", "merged"),
        ("llama", "2023-03-28", "conflict"),
        ("llama", "2022-02-24", "conflict"),
        # year precision: the same year agrees
        ("llama", "2023", "merged"),
        ("llama", "2022", "conflict"),
        ("zidong-taichu", "2021", "merged"),
        ("zidong-taichu", "2020", "conflict"),
        # month precision: one month apart agrees
        ("llama", "2023-03", "merged"),
        ("llama", "2023-04", "conflict"),
        ("freedomgpt", "2023-05", "merged"),
        ("freedomgpt", "2023-03", "merged"),
        ("freedomgpt", "2023-06", "conflict"),
    ],
)
def test_release_date_tolerance(tiny: Merger, model_id: str, released: str, action: str) -> None:
    name = tiny.model(model_id).name
    before = tiny.model(model_id).released
    outcome = apply_one(tiny, row(name, released=released))
    assert (outcome.model_id, outcome.action) == (model_id, action)
    assert tiny.model(model_id).released == before
    if action == "conflict":
        [conflict] = outcome.conflicts
        assert (conflict.field, conflict.kept, conflict.other) == ("released", str(before), released)


def test_date_conflict_magnitude_is_in_years(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("LLaMA", released="2022-02-24"))
    assert outcome.conflicts[0].magnitude == pytest.approx(365 / 365.25)


def test_training_tokens_conflict_only_beyond_half(tiny: Merger) -> None:
    assert apply_one(tiny, row("LLaMA", 1, training={"tokens": "1T"})).action == "merged"
    outcome = apply_one(tiny, row("LLaMA", 2, training={"tokens": "3T"}))
    assert outcome.action == "conflict"
    assert [(c.field, c.kept, c.other) for c in outcome.conflicts] == [("training.tokens", "1.4T", "3T")]
    training = tiny.model("llama").training
    assert training is not None and training.tokens == 1_400_000_000_000


def test_openness_conflict(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("Vicuna", openness="closed"))
    assert [(c.field, c.kept, c.other) for c in outcome.conflicts] == [
        ("openness", "open-weights-restricted", "closed")
    ]
    assert tiny.model("vicuna").openness == "open-weights-restricted"


def test_several_conflicts_in_one_row(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("Vicuna", parameters={"total": "7B"}, released="2022-01-01"))
    assert outcome.action == "conflict"
    assert [c.field for c in outcome.conflicts] == ["parameters", "released"]
    assert [d.field for d in tiny.model("vicuna").disputes] == ["parameters", "released"]


# --- what the catalog already decided -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("GPT-4", "gpt-4"),
        ("Visual ChatGPT", "visual-chatgpt"),
        ("Stable Diffusion-2.0", "stable-diffusion-2"),
    ],
)
def test_value_the_catalog_disputes_is_neither_filled_nor_a_conflict(
    bundled: Merger, name: str, model_id: str
) -> None:
    """Seed 003 gives GPT-4 and Visual ChatGPT 1750亿 and SD 2.0 9.83亿; the catalog rejects each."""
    imported = seed_row(SEED_003, name)
    assert imported.model is not None and imported.model.parameters is not None
    claimed = imported.model.parameters.total
    before = bundled.model(model_id)
    outcome = bundled.apply("003", SEED_003, [imported])[0]
    assert (outcome.model_id, outcome.action, outcome.conflicts) == (model_id, "merged", [])
    after = bundled.model(model_id)
    assert after.parameters == before.parameters
    assert after.parameters is None or after.parameters.total != claimed
    assert after.disputes == before.disputes


def test_gpt_4_keeps_its_unknown_size(bundled: Merger) -> None:
    before = bundled.model("gpt-4")
    outcome = apply_one(bundled, row("GPT-4", parameters={"total": "1750亿"}))
    assert (outcome.action, outcome.conflicts) == ("merged", [])
    after = bundled.model("gpt-4")
    assert after.parameters == before.parameters and after.parameters is not None
    assert after.parameters.total is None
    assert after.disputes == before.disputes


def test_deliberately_unknown_parameters_are_not_filled(bundled: Merger) -> None:
    """gpt-4 gives a note and no total on purpose; another figure is a conflict, not a fill."""
    outcome = apply_one(bundled, row("GPT-4", parameters={"total": "1.8T"}))
    assert outcome.action == "conflict"
    [conflict] = outcome.conflicts
    assert conflict.field == "parameters" and conflict.other == "1.8T"
    assert conflict.kept is not None and conflict.kept.startswith("unknown (not disclosed")
    params = bundled.model("gpt-4").parameters
    assert params is not None and params.total is None
    assert "parameters" not in bundled.model("gpt-4").sources[-1].fields


def test_seed_000_chatglm_size_is_not_filled(bundled: Merger) -> None:
    """ChatGLM (the 100B-class chat model) leaves its size unknown; 62亿 is ChatGLM-6B's."""
    outcome = bundled.apply("000", SEED_000, [seed_row(SEED_000, "ChatGLM")])[0]
    assert outcome.model_id == "chatglm" and outcome.conflicts == []
    params = bundled.model("chatglm").parameters
    assert params is not None and params.total is None


# --- code links of other models --------------------------------------------------------------------


def test_code_link_of_another_model_is_left_out(bundled: Merger) -> None:
    """Seed 004's GPT row links google-research/vmoe, which is V-MoE's repository."""
    before = bundled.model("gpt-1").code
    imported = seed_row(SEED_004, "GPT")
    assert imported.model is not None
    assert imported.model.code == ["https://github.com/google-research/vmoe"]
    outcome = bundled.apply("004", SEED_004, [imported])[0]
    assert (outcome.model_id, outcome.matched_by) == ("gpt-1", "name 'GPT'")
    assert "code link https://github.com/google-research/vmoe is V-MoE's; left out" in outcome.detail
    assert bundled.model("gpt-1").code == before
    assert bundled.model("v-moe").code == ["https://github.com/google-research/vmoe"]


def test_a_merge_whose_matching_is_closed_refuses_rows_and_keeps_its_models(tiny: Merger) -> None:
    """``close_matching`` before the build: a row merged after it is refused with a message that says
    why (it failed on the index's closed file), and the merged models are still read."""
    tiny.apply("list", INPUT, [row("Fresh Model", orgs=("OpenAI",))])
    tiny.close_matching()
    refused = "^Merger.apply after close_matching: its matching index is closed$"
    with pytest.raises(RuntimeError, match=refused):
        tiny.apply("list", INPUT, [row("Another Model", orgs=("OpenAI",))])
    assert "fresh-model" in {entry.record.id for entry in tiny.catalog().models}
    assert "another-model" not in {entry.record.id for entry in tiny.catalog().models}


def test_code_link_to_a_model_list_is_left_out(bundled: Merger) -> None:
    """Seed 004 links Dolly 2.0's code to zhengzangw/awesome-huge-models, the list it was copied from."""
    imported = seed_row(SEED_004, "Dolly 2.0")
    outcome = bundled.apply("004", SEED_004, [imported])[0]
    assert outcome.model_id is not None
    assert "is the model list zhengzangw/awesome-huge-models, not the model's code" in outcome.detail
    assert not any("awesome" in url for url in bundled.model(outcome.model_id).code)


def test_code_link_of_another_model_is_left_out_of_a_new_model(bundled: Merger) -> None:
    outcome = apply_one(
        bundled, row("Brand New Vision Net", code=["https://github.com/google-research/vmoe"])
    )
    assert outcome.action == "new"
    assert bundled.model("brand-new-vision-net").code == []
    assert "is V-MoE's; left out" in outcome.detail


def test_seed_000_chatglm_does_not_take_chatglm_6b_code(bundled: Merger) -> None:
    before = bundled.model("chatglm").code
    outcome = bundled.apply("000", SEED_000, [seed_row(SEED_000, "ChatGLM")])[0]
    assert "code link https://github.com/THUDM/ChatGLM-6B is ChatGLM-6B's; left out" in outcome.detail
    assert bundled.model("chatglm").code == before
    assert bundled.model("chatglm-6b").code == ["https://github.com/THUDM/ChatGLM-6B"]


# --- variants ----------------------------------------------------------------------------------------


def test_variant_row_is_compared_with_the_variant(tiny: Merger) -> None:
    """LLaMA-7B is 6.7B in the catalog: 7B agrees with the variant, not with LLaMA's 65.2B."""
    outcome = apply_one(tiny, row("LLaMA-7B", parameters={"total": "7B"}))
    assert (outcome.action, outcome.matched_by) == ("merged", "variant name 'LLaMA-7B'")
    assert outcome.conflicts == []
    model = tiny.model("llama")
    assert model.parameters is not None and model.parameters.total == 65_200_000_000
    assert model.variants[0].parameters == 6_700_000_000


def test_variant_conflict_names_the_variant(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("LLaMA-7B", parameters={"total": "13B"}))
    assert [(c.field, c.kept, c.other) for c in outcome.conflicts] == [
        ("variants.LLaMA-7B.parameters", "6.7B", "13B")
    ]
    assert tiny.model("llama").variants[0].parameters == 6_700_000_000


def test_variant_without_a_size_is_filled(bundled: Merger) -> None:
    outcome = apply_one(bundled, row("Stable Diffusion 2.0-base", parameters={"total": "865M"}))
    assert (outcome.model_id, outcome.action, outcome.detail) == ("stable-diffusion-2", "merged", "+variants")
    model = bundled.model("stable-diffusion-2")
    assert model.variants[0].name == "Stable Diffusion 2.0-base"
    assert model.variants[0].parameters == 865_000_000
    assert model.parameters is not None and model.parameters.total is None
    assert model.sources[-1].fields == ["variants"]


# --- new models ------------------------------------------------------------------------------------


def test_each_row_reports_its_own_waiting_base_models(tiny: Merger) -> None:
    """The base models a row names that are not known yet are reported on that row's outcome alone
    (they are kept by model, issue 18), and one a later row of the file brings becomes an edge."""
    outcomes = tiny.apply(
        "list",
        INPUT,
        [
            row("Koala", 1, bases=("Gamma Base",)),
            row("Kiwi", 2, bases=("No Such Model", "Other Missing")),
            row("Mango", 3),
            row("Gamma Base", 4),
            row("Lime", 5, bases=("Koala", "Nowhere")),
        ],
    )
    assert [(o.model_id, o.action, o.detail) for o in outcomes] == [
        ("koala", "new", ""),
        (
            "kiwi",
            "new",
            "base model 'No Such Model' not in the catalog; left out; "
            "base model 'Other Missing' not in the catalog; left out",
        ),
        ("mango", "new", ""),
        ("gamma-base", "new", ""),
        ("lime", "new", "base model 'Nowhere' not in the catalog; left out"),
    ]
    assert tiny.model("koala").base_models == [BaseEdge(model="gamma-base", relation="fine-tune")]
    assert tiny.model("lime").base_models == [BaseEdge(model="koala", relation="fine-tune")]
    assert tiny.model("kiwi").base_models == [] and tiny.model("mango").base_models == []


def test_outcomes_go_to_the_sink_as_made_and_a_waiting_row_s_at_the_end(tiny: Merger) -> None:
    """``apply_to`` hands each outcome over once final (issue 18: a million rows' are not held); a row
    whose base model is looked up again at the end comes last, with what that lookup found."""
    handed: list[tuple[int, str | None, str]] = []
    tiny.apply_to(
        lambda at, o: handed.append((at, o.model_id, o.detail)),
        "list",
        INPUT,
        [
            row("Kiwi", 1, bases=("No Such Model",)),
            row("Mango", 2),
            row("Koala", 3, bases=("Mango",)),
            row("Lime", 4, bases=("Gamma Base",)),
            row("Gamma Base", 5),
        ],
    )
    assert handed == [
        (1, "mango", ""),
        (2, "koala", ""),
        (4, "gamma-base", ""),
        (0, "kiwi", "base model 'No Such Model' not in the catalog; left out"),
        (3, "lime", ""),
    ]
    assert tiny.model("lime").base_models == [BaseEdge(model="gamma-base", relation="fine-tune")]


def test_dated_rows_of_one_model_are_merged_oldest_first_the_others_in_place() -> None:
    order = merge_module._oldest_first(["A (Jun 2023)", "B", "A", None, "A (Mar 2023)", "C (May 2024)"])
    assert list(order) == [2, 1, 4, 3, 0, 5]
    assert list(merge_module._oldest_first(["B", None, "C"])) == [0, 1, 2]


def test_new_row_becomes_a_new_model_with_resolved_organizations_and_bases(tiny: Merger) -> None:
    outcome = apply_one(
        tiny,
        row(
            "Koala",
            4,
            orgs=("Meta AI", "斯坦福大学", "Berkeley AI Research", "meta ai"),
            bases=("LLaMA-7B", "Vicuna-13B", "No Such Model"),
            relation="instruction-tune",
            parameters={"total": "13B"},
        ),
    )
    assert (outcome.action, outcome.model_id, outcome.matched_by) == ("new", "koala", None)
    assert outcome.detail == (
        "organization 'Berkeley AI Research' is not in the catalog; added as 'berkeley-ai-research'; "
        "base model 'No Such Model' not in the catalog; left out"
    )
    assert tiny.unplaced == {"berkeley-ai-research": "Berkeley AI Research"}
    model = tiny.model("koala")
    assert model.organizations == ["meta", "stanford", "berkeley-ai-research"]
    assert model.base_models == [
        BaseEdge(model="llama", relation="instruction-tune"),
        BaseEdge(model="vicuna", relation="instruction-tune"),
    ]
    assert tiny.new_organizations() == [Organization(id="berkeley-ai-research", name="Berkeley AI Research")]
    assert set(tiny.created_by) == {"koala"} and tiny.changed == {"koala"}
    merged = tiny.catalog()
    assert [e.record.id for e in merged.models][-1] == "koala"
    assert merged.models[-1].path == INPUT
    assert merged.organizations[-1].record.id == "berkeley-ai-research"
    assert len(merged.organizations) == 7


def test_new_organization_is_reused_by_later_rows(tiny: Merger) -> None:
    tiny.apply("list", INPUT, [row("Koala", 1, orgs=("BAIR",)), row("Koala Two", 2, orgs=("bair",))])
    assert tiny.model("koala").organizations == ["bair"]
    assert tiny.model("koala-two").organizations == ["bair"]
    assert [o.id for o in tiny.new_organizations()] == ["bair"]


def test_new_organization_keeps_kind_and_country(tiny: Merger) -> None:
    imported = row("Koala")
    imported = imported.model_copy(
        update={"organizations": [OrgRef(name="UC Berkeley", kind="university", country="US")]}
    )
    apply_one(tiny, imported)
    assert tiny.new_organizations() == [
        Organization(id="uc-berkeley", name="UC Berkeley", kind="university", country="US")
    ]


def test_second_row_with_the_same_name_merges_into_the_first(tiny: Merger) -> None:
    outcomes = tiny.apply(
        "list",
        INPUT,
        [
            row("Koala", 1, parameters={"total": "13B"}),
            row("Koala", 2, homepage="https://bair.berkeley.edu/blog/2023/04/03/koala/"),
        ],
    )
    assert [(o.action, o.model_id) for o in outcomes] == [("new", "koala"), ("merged", "koala")]
    assert outcomes[1].detail == "+homepage"
    assert set(tiny.created_by) == {"koala"}
    ids = [e.record.id for e in tiny.catalog().models]
    assert ids.count("koala") == 1 and len(ids) == 7
    model = tiny.model("koala")
    assert [s.id for s in model.sources] == ["list-l1", "list-l2"]
    assert model.homepage == "https://bair.berkeley.edu/blog/2023/04/03/koala/"


def test_a_later_import_merges_into_a_model_an_earlier_one_created(tiny: Merger) -> None:
    tiny.apply("first", INPUT, [row("Koala", 1, parameters={"total": "13B"})])
    outcome = tiny.apply("second", INPUT, [row("KOALA", 9, parameters={"total": "7B"})])[0]
    assert (outcome.action, outcome.model_id) == ("conflict", "koala")
    assert outcome.conflicts[0].source_id == "second-l9"


def test_new_model_id_does_not_clash_with_an_existing_one(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("Totally Different", id="alpaca"))
    assert (outcome.action, outcome.model_id) == ("new", "alpaca-2")
    assert tiny.model("alpaca").name == "Alpaca"
    assert tiny.model("alpaca-2").name == "Totally Different"


def test_base_model_cannot_be_the_model_itself(tiny: Merger) -> None:
    apply_one(tiny, row("Koala", 1))
    outcome = apply_one(tiny, row("Koala", 2, bases=("Koala",)))
    assert "base model 'Koala' is the model itself or built on it; left out" in outcome.detail
    assert tiny.model("koala").base_models == []


def test_base_model_that_would_make_a_cycle_is_left_out(tiny: Merger) -> None:
    """LLaMA is Alpaca's base; Alpaca cannot become LLaMA's base (LLaMA has none yet)."""
    outcome = apply_one(tiny, row("LLaMA", bases=("Alpaca",)))
    assert "base model 'Alpaca' is the model itself or built on it; left out" in outcome.detail
    assert tiny.model("llama").base_models == []


def test_base_models_filled_on_a_model_without_any(tiny: Merger) -> None:
    outcome = apply_one(tiny, row("LLaMA", orgs=("Meta AI",), bases=()))
    assert outcome.detail == "nothing new"  # llama has organizations already
    outcome = apply_one(tiny, row("Zidong Taichu", 2, bases=("LLaMA-65B",), relation="distill"))
    assert outcome.detail == "+base_models"
    assert tiny.model("zidong-taichu").base_models == [BaseEdge(model="llama", relation="distill")]
    assert tiny.model("zidong-taichu").sources[-1].fields == ["base_models"]


# --- skipped rows and catalog disputes -------------------------------------------------------------


def test_skipped_rows_are_reported_and_change_nothing(tiny: Merger) -> None:
    outcome = apply_one(
        tiny, ImportedRow.skip(9, "databricks-dolly-15k", "section 'datasets' lists no models")
    )
    assert outcome == Outcome(
        9, "databricks-dolly-15k", "skipped", detail="section 'datasets' lists no models"
    )
    assert tiny.changed == set() and set(tiny.created_by) == set()


def test_catalog_conflicts_of_the_tiny_catalog(tiny: Merger) -> None:
    [conflict] = tiny.catalog_conflicts()
    assert (conflict.model_id, conflict.field, conflict.kept, conflict.other) == (
        "alpaca",
        "released",
        "2023-03-13",
        "2023-03-28",
    )
    assert (conflict.source_id, conflict.source_url, conflict.origin) == ("seed001", None, "catalog")


def test_catalog_conflicts_of_the_bundled_catalog(bundled: Merger, bundled_catalog: Catalog) -> None:
    conflicts = bundled.catalog_conflicts()
    disputes = sum(len(e.record.disputes) for e in bundled_catalog.models)
    assert len(conflicts) == disputes > 0
    assert all(c.origin == "catalog" for c in conflicts)
    by_key = {(c.model_id, c.field, c.source_id): c for c in conflicts}
    gpt4 = by_key[("gpt-4", "parameters", "seed003")]
    assert (gpt4.kept, gpt4.other, gpt4.source_url) == ("", "1750亿", None)
    released = by_key[("zidong-taichu", "released", "mindspore")]
    assert (released.kept, released.other) == ("2021-07-09", "2021-09")
    assert released.source_url == "https://gitee.com/mindspore/models/tree/master/research/mm/opt"


def test_catalog_conflicts_ignore_what_was_merged(tiny: Merger) -> None:
    apply_one(tiny, row("LLaMA", parameters={"total": "175B"}))
    assert [c.model_id for c in tiny.catalog_conflicts()] == ["alpaca"]


# --- the seeds against the bundled catalog ---------------------------------------------------------


def test_seeds_merge_without_new_models_and_keep_the_catalog_valid(bundled: Merger) -> None:
    outcomes = [
        *bundled.apply("004", SEED_004, paper_table.read(SEED_004)),
        *bundled.apply("003", SEED_003, paper_table.read(SEED_003)),
        *bundled.apply("000", SEED_000, seed_sections.read(SEED_000)),
    ]
    assert len(outcomes) == 62 + 13 + 7
    assert set(bundled.created_by) == set() and bundled.new_organizations() == []
    assert {o.action for o in outcomes} == {"merged", "conflict"}
    assert list(check(bundled.catalog())) == []


def test_seed_004_rows_find_their_models(bundled: Merger) -> None:
    outcomes = {o.name: o for o in bundled.apply("004", SEED_004, paper_table.read(SEED_004))}
    expected = {
        "LLaMa": "llama",
        "Cerabras-GPT": "cerebras-gpt",
        "GPT-NeoX": "gpt-neox-20b",
        "GPT": "gpt-1",
        "Blender": "blenderbot",
        "DALL·E2": "dall-e-2",
        "书生": "intern",
        "孟子": "mengzi",
        "紫东太初": "zidong-taichu",
        "盘古": "pangu-alpha",
        "PanGu-α": "pangu-alpha",
        "V-MOE": "v-moe",
        "AllInOne": "all-in-one",
        "LayoutLM v3": "layoutlmv3",
        "EVA 2.0": "eva-2",
    }
    assert {name: outcomes[name].model_id for name in expected} == expected


def test_seed_000_moss_adds_its_dated_status_note(bundled: Merger) -> None:
    before = bundled.model("moss").status_notes
    outcome = bundled.apply("000", SEED_000, [seed_row(SEED_000, "MOSS")])[0]
    assert outcome.model_id == "moss"
    notes = bundled.model("moss").status_notes
    assert notes[: len(before)] == before
    added = notes[len(before) :]
    assert [(str(n.date), n.source) for n in added] == [("2023-03-22", "000-l103")]
    assert "000-l103" in {s.id for s in bundled.model("moss").sources}


def test_disputed_homepage_is_not_filled(bundled: Merger) -> None:
    bundled.apply("000", SEED_000, [seed_row(SEED_000, "Stable Diffusion")])
    assert bundled.model("stable-diffusion").homepage is None


def test_new_model_source_backs_the_organizations_and_bases_it_resolved(tiny: Merger) -> None:
    """The first source's fields are the new model's own: its makers and bases once resolved, and
    neither when the row names none (the two lists the merge sets, tested apart from the rest)."""
    apply_one(tiny, row("Koala", 4, orgs=("Meta AI",), bases=("LLaMA-7B",), parameters={"total": "13B"}))
    assert tiny.model("koala").sources[0].fields == ["base_models", "organizations", "parameters"]
    apply_one(tiny, row("Mango", 5, parameters={"total": "7B"}))
    assert tiny.model("mango").sources[0].fields == ["parameters"]
    apply_one(tiny, row("Lime", 6, bases=("No Such Model",)))
    assert tiny.model("lime").sources[0].fields == []


def test_disputed_code_link_is_not_added(bundled: Merger) -> None:
    bundled.apply("000", SEED_000, [seed_row(SEED_000, "MOSS")])
    assert "https://github.com/TXSUN1997/MOSS" not in bundled.model("moss").code


def test_new_model_source_names_only_what_it_backs(bundled: Merger) -> None:
    apply_one(bundled, row("Brand New Vision Net", code=["https://github.com/google-research/vmoe"]))
    assert "code" not in bundled.model("brand-new-vision-net").sources[0].fields


def test_merging_leaves_the_given_catalog_alone(bundled_catalog: Catalog) -> None:
    original = {e.record.id: e.record for e in bundled_catalog.models}
    merger = Merger(bundled_catalog)
    apply_one(merger, row("LLaMA", 1, parameters={"total": "175B"}))
    apply_one(merger, row("Brand New Vision Net", 2, orgs=("Brand New Lab",)))
    assert merger.model("llama").disputes != original["llama"].disputes
    assert {e.record.id: e.record for e in bundled_catalog.models} == original
    assert "brand-new-lab" not in {e.record.id for e in bundled_catalog.organizations}
    merged = merger.catalog()
    assert len(merged.models) == len(bundled_catalog.models) + 1
    assert len(merged.organizations) == len(bundled_catalog.organizations) + 1


# --- another member of a family is another model ---------------------------------------------------

FAMILY_LIST = Path(__file__).parent / "fixtures" / "merge" / "open-llms_deepseek-v2.md"


def test_an_edition_sharing_the_code_is_a_model_of_its_own(bundled_catalog: Catalog) -> None:
    """open-llms' DeepSeek-V2 (236B) and DeepSeek-V2-Lite (16B) both link DeepSeek-V2's code repository:
    without a DeepSeek-V2 record they are two new models, the Lite not folded into the 236B one."""
    without = dataclasses.replace(
        bundled_catalog, models=[e for e in bundled_catalog.models if e.record.id != "deepseek-v2"]
    )
    merger = Merger(without)
    full, lite = merger.apply("paper-table:open-llms", INPUT, paper_table.read(FAMILY_LIST))
    assert (full.action, full.model_id) == ("new", "deepseek-v2")
    assert (lite.action, lite.model_id, lite.conflicts) == ("new", "deepseek-v2-lite", [])
    weights = merger.model("deepseek-v2").weights
    assert weights is not None
    assert weights.huggingface == ["deepseek-ai/DeepSeek-V2", "deepseek-ai/DeepSeek-V2-Chat"]
    lite_model = merger.model("deepseek-v2-lite")
    assert lite_model.parameters is not None and lite_model.parameters.total == 16_000_000_000


def test_an_edition_the_catalog_lists_as_a_variant_goes_to_the_variant(bundled: Merger) -> None:
    """With the curated DeepSeek-V2 (V2-Lite a variant of 15.7B), the Lite row is that variant: its
    "16B" is the 15.7B written round, no conflict."""
    full, lite = bundled.apply("paper-table:open-llms", INPUT, paper_table.read(FAMILY_LIST))
    assert (full.action, full.model_id, full.matched_by) == ("merged", "deepseek-v2", "id")
    assert (lite.action, lite.model_id, lite.matched_by, lite.conflicts) == (
        "merged",
        "deepseek-v2",
        "variant name 'DeepSeek-V2-Lite'",
        [],
    )


def test_a_row_far_from_its_namesake_in_size_merges_into_the_sized_model(bundled: Merger) -> None:
    """ecosystem-graphs' Megatron-LM is the 1T model of arXiv 2104.04473, which Epoch lists as
    'Megatron-LM (1T)'; the catalog's Megatron-LM is the 8.3B model of 2019."""
    before = bundled.model("megatron-lm")
    epoch_row = row("Megatron-LM (1T)", 1, parameters={"total": "1T"}, released="2021-04-09")
    ecosystem_row = row(
        "Megatron-LM",
        2,
        parameters={"total": "1T"},
        released="2021-04-09",
        papers=[{"arxiv": "2104.04473", "title": "Efficient Large-Scale Language Model Training"}],
    )
    first, second = bundled.apply("list", INPUT, [epoch_row, ecosystem_row])
    assert (first.action, first.model_id) == ("new", "megatron-lm-1t")
    assert (second.action, second.model_id, second.conflicts) == ("merged", "megatron-lm-1t", [])
    assert second.matched_by == "name 'Megatron-LM (1T)', not megatron-lm (8.3B: id)"
    assert bundled.model("megatron-lm") == before
    assert [p.arxiv for p in bundled.model("megatron-lm-1t").papers] == ["2104.04473"]


def test_imported_tasks_take_the_catalog_spelling(tiny: Merger) -> None:
    """Epoch writes 'Question answering'; the catalog 'question-answering'. Rows stored before the
    importer slugged its tasks are spelt the catalog's way when merged again."""
    new = apply_one(tiny, row("Brand New", tasks=["Question answering", "(Visual) Question answering"]))
    assert tiny.model(new.model_id or "").tasks == ["question-answering", "visual-question-answering"]
    assert not tiny.model("llama").tasks
    apply_one(tiny, row("LLaMa", tasks=["question answering", "question-answering", "Code generation"]))
    assert tiny.model("llama").tasks == ["question-answering", "code-generation"]


def test_a_row_of_a_variants_size_is_compared_with_the_variant(bundled: Merger) -> None:
    """awesome-huge-models' Megatron-BERT (3.9B) cites the Megatron-LM paper: it is the 3.9B BERT variant
    the catalog lists, not a 3.9B-vs-8.3B conflict on Megatron-LM."""
    outcome = apply_one(
        bundled, row("Megatron-BERT", parameters={"total": "3.9B"}, papers=[{"arxiv": "1909.08053"}])
    )
    assert (outcome.action, outcome.model_id, outcome.conflicts) == ("merged", "megatron-lm", [])
    assert outcome.matched_by == "arXiv 1909.08053"


def test_a_row_built_on_the_model_it_shares_a_paper_with_is_not_that_model(tiny: Merger) -> None:
    """Ecosystem Graphs' Lemur-Chat cites Lemur's paper and names Lemur as its base: a new model, built
    on Lemur; the same row without the base would merge (chat is not an edition word)."""
    paper = [{"arxiv": "2310.06830"}]
    apply_one(tiny, row("Lemur", 1, papers=paper))
    alone = apply_one(tiny, row("Lemur-Chat", 2, papers=paper))
    assert (alone.action, alone.model_id) == ("merged", "lemur")
    chat = apply_one(tiny, row("Lemur-Chat", 3, bases=("Lemur",), papers=paper))
    assert (chat.action, chat.model_id) == ("new", "lemur-chat")
    assert tiny.model("lemur-chat").base_models == [BaseEdge(model="lemur", relation="fine-tune")]


@pytest.mark.parametrize(
    ("written", "exact", "same"),
    [
        (3_000_000_000, 2_850_000_000, True),  # T5-3B: one significant digit
        (7_000_000_000, 6_700_000_000, True),  # LLaMA-7B
        (3_000_000_000, 3_600_000_000, False),  # 3.6B does not round to 3B
        (3_000_000_000, 2_400_000_000, False),
        (10_000_000_000, 14_000_000_000, False),  # "10B" has two digits
        (10_000_000_000, 10_400_000_000, True),  # within 5% anyway
        (1_500_000_000, 1_400_000_000, False),  # 7% apart, and 1.4B is not 1.5B written round
        (100_000_000, 94_000_000, False),
        (12_000, 120_000_000, False),
    ],
)
def test_a_round_count_agrees_with_the_exact_one_it_rounds(written: int, exact: int, same: bool) -> None:
    assert C.same_count(written, exact) is same and C.same_count(exact, written) is same


def test_a_list_date_does_not_release_a_model_only_announced(bundled: Merger) -> None:
    """Kimi k1.5 is announced (2025-01-20) but no availability is on record: a list's year fills nothing;
    a model with no dates at all takes the list's year. (ERNIE 5, the earlier example, now has a release.)"""
    kimi = apply_one(bundled, row("Kimi k1.5", 1, released="2026"))
    assert (kimi.model_id, "+released" in kimi.detail) == ("kimi-k1.5", False)
    assert bundled.model("kimi-k1.5").released is None
    fresh = apply_one(bundled, row("Brand-New-LM", 2, released="2026"))
    assert str(bundled.model(fresh.model_id or "").released) == "2026"


def test_a_lists_bare_year_that_is_the_papers_year_releases_nothing(bundled: Merger) -> None:
    """PLaMo-100B's release is unknown and its paper is of 2024 (arXiv 2410.07563): a list's Year "2024"
    is that paper's year, no availability; a full date from the row is taken."""
    assert bundled.model("plamo-100b").released is None
    outcome = apply_one(bundled, row("PLaMo-100B", 1, released="2024"))
    assert outcome.model_id == "plamo-100b" and "+released" not in outcome.detail
    outcome = apply_one(bundled, row("PLaMo-100B", 2, released="2024-06-14"))
    assert "+released" in outcome.detail and str(bundled.model("plamo-100b").released) == "2024-06-14"
