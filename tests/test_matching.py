"""modelatlas.sources.matching: which catalog model an imported row describes, and how it was found.

Most cases run against the bundled catalog (real names, real shared keys); the size rules run against a
handful of hand-made models so that no alias hides them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest

from modelatlas.catalog.names import task_slug
from modelatlas.catalog.schema import Estimate, Model
from modelatlas.catalog.validate import validate_catalog
from modelatlas.sources.matching import (
    EDITION_WORDS,
    SIZE_WORDS,
    Keys,
    Match,
    Matcher,
    _split_size,
    code_key,
    composed,
    edition_apart,
    prefixed,
    qualified,
    size_of,
    substituted,
    versions,
)
from modelatlas.sources.rows import build_model

CATALOG = Path(__file__).resolve().parents[1] / "catalog"


def model(name: str, **fields: Any) -> Model:
    """A model as an importer would make it: one source, the row."""
    return build_model(
        {"name": name, "domains": ["nlp"], **fields},
        source_id="row",
        accessed=dt.date(2024, 1, 1),
        citation="test row",
    )


def matcher_of(*models: Model) -> Matcher:
    matcher = Matcher()
    for m in models:
        matcher.add(m)
    return matcher


@pytest.fixture(scope="module")
def bundled() -> Matcher:
    catalog = validate_catalog(CATALOG)
    assert catalog.problems == []
    return matcher_of(*(entry.record for entry in catalog.models))


@pytest.fixture(scope="module")
def tiny() -> Matcher:
    catalog = validate_catalog(Path(__file__).parent / "fixtures" / "catalog")
    return matcher_of(*(entry.record for entry in catalog.models))


# --- helpers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://GitHub.com/THUDM/ChatGLM-6B.git/", "github.com/thudm/chatglm-6b"),
        ("http://www.github.com/facebookresearch/llama", "github.com/facebookresearch/llama"),
        (
            "https://github.com/zhengzangw/awesome-huge-models/tree/main",
            "github.com/zhengzangw/awesome-huge-models",
        ),
        ("https://github.com/openai/whisper/blob/master/", "github.com/openai/whisper"),
        ("https://github.com/EleutherAI/gpt-neox#readme", "github.com/eleutherai/gpt-neox"),
        # another branch is another place: kept
        ("https://github.com/a/b/tree/dev", "github.com/a/b/tree/dev"),
    ],
)
def test_code_key(url: str, key: str) -> None:
    assert code_key(url) == key


@pytest.mark.parametrize(
    ("key", "split"),
    [
        ("gptneox20b", ("gptneox", 20_000_000_000)),
        ("llama65b", ("llama", 65_000_000_000)),
        ("cerebrasgpt111m", ("cerebrasgpt", 111_000_000)),
        ("yalm100b", ("yalm", 100_000_000_000)),
        ("20b", None),  # a size alone is not a name with a size
        ("llama", None),
        ("m6", None),
        ("whisperjax", None),
    ],
)
def test_size_of(key: str, split: tuple[str, int] | None) -> None:
    assert size_of(key) == split


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Whisper", set()),
        ("Whisper V2", {"2"}),
        ("Whisper large-v2", {"2"}),
        ("Stable Diffusion 1.0", {"1"}),
        ("Stable Diffusion-2.0", {"2"}),
        ("Yuan 1.0", {"1"}),
        ("GPT-4", {"4"}),
        ("Qwen1.5-7B", {"1.5"}),
        ("stable-diffusion-v1-4", {"1", "4"}),
        # sizes are not versions
        ("LLaMA-7B", set()),
        ("GPT-NeoX-20B", set()),
        ("PanGu-α 2.6B", set()),
        ("Mixtral 8x7B", set()),
    ],
)
def test_versions(name: str, found: set[str]) -> None:
    assert versions(name) == frozenset(found)


def test_versions_1_and_1_0_are_the_same() -> None:
    assert versions("Stable Diffusion 1.0") == versions("Stable Diffusion v1")
    assert versions("Stable Diffusion 1.0") != versions("Stable Diffusion 2.0")


# --- names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["LLaMa", "LLAMA", "llama", "L-La MA", "LLa_MA"])
def test_case_hyphen_and_space_do_not_matter(tiny: Matcher, spelling: str) -> None:
    found = tiny.by_name(spelling)
    assert found is not None and found.model_id == "llama"


def test_name_match_says_which_spelling(tiny: Matcher) -> None:
    assert tiny.by_name("L-La MA") == Match("llama", "name 'LLaMA'")
    assert tiny.by_name("llama") == Match("llama", "name 'LLaMA'")
    assert tiny.by_name("Stanford Alpaca") == Match("alpaca", "alias 'Stanford Alpaca'")
    assert tiny.by_name("紫东·太初") == Match("zidong-taichu", "alias '紫东太初'")


def test_match_by_id_needs_the_same_name(tiny: Matcher) -> None:
    assert tiny.match(model("LLaMa", id="llama")) == Match("llama", "id")
    # the id is taken, but the name is another model's: no id match, the name decides
    assert tiny.match(model("Vicuna", id="llama")) == Match("vicuna", "name 'Vicuna'")
    assert tiny.match(model("Something Else", id="llama")) is None


def test_an_alias_of_the_row_is_tried_too(tiny: Matcher) -> None:
    found = tiny.match(model("Zidong Taichu 1", aliases=["紫东太初"]))
    assert found == Match("zidong-taichu", "alias '紫东太初'")


def test_unknown_name_is_new(bundled: Matcher) -> None:
    assert bundled.match(model("Totally New Model")) is None
    assert bundled.by_name("Totally New Model") is None


def test_variant_name_matches_its_model(bundled: Matcher) -> None:
    found = bundled.match(model("LLaMA-7B"))
    assert found == Match("llama", "variant name 'LLaMA-7B'", variant="LLaMA-7B")
    found = bundled.by_name("llama 65b")
    assert found is not None and (found.model_id, found.variant) == ("llama", "LLaMA-65B")


# --- sizes in names ----------------------------------------------------------------------------------


def test_name_with_size_matches_the_model_named_without(bundled: Matcher) -> None:
    """``GPT-NeoX-20B`` is the catalog's name and ``GPT-NeoX`` its alias, so both are exact."""
    assert bundled.match(model("GPT-NeoX")) == Match("gpt-neox-20b", "alias 'GPT-NeoX'")
    assert bundled.match(model("GPT NeoX-20B", id="imported")) == Match("gpt-neox-20b", "name 'GPT-NeoX-20B'")


def test_size_dropped_from_the_row_name() -> None:
    """The row says ``GPT-NeoX-20B``, the catalog only ``GPT-NeoX`` (20B): the same model."""
    matcher = matcher_of(model("GPT-NeoX", parameters={"total": "20B"}))
    assert matcher.match(model("GPT-NeoX-20B")) == Match("gpt-neox", "name without its size (20B)", weak=True)
    assert matcher.match(model("GPT-NeoX 21B")) == Match("gpt-neox", "name without its size (21B)", weak=True)
    # a size far from the model's is another model of the family
    assert matcher.match(model("GPT-NeoX-6B")) is None
    assert matcher.match(model("GPT-NeoX-40B")) is None


def test_size_dropped_needs_the_model_size() -> None:
    matcher = matcher_of(model("GPT-NeoX"))  # no parameter count: the size cannot be checked
    assert matcher.match(model("GPT-NeoX-20B")) is None


def test_row_name_without_the_size() -> None:
    """The catalog says ``GPT-NeoX-20B``, the row only ``GPT-NeoX``."""
    matcher = matcher_of(model("GPT-NeoX-20B", parameters={"total": "20B"}))
    assert matcher.match(model("GPT-NeoX")) == Match(
        "gpt-neox-20b", "name with a size: 'GPT-NeoX-20B'", weak=True
    )


def test_row_name_without_the_size_is_ambiguous_between_two_sizes() -> None:
    matcher = matcher_of(model("Pythia-12B"), model("Pythia-7B"))
    assert matcher.match(model("Pythia")) is None


def test_size_close_to_the_catalog_total(bundled: Matcher) -> None:
    # LLaMA is 65.2B; 70B is within 10%, so the name without its size is LLaMA
    assert bundled.match(model("LLaMA 70B")) == Match("llama", "name without its size (70B)", weak=True)
    assert bundled.match(model("LLaMA-100B")) is None


# --- versions are kept apart -------------------------------------------------------------------------


def test_stable_diffusion_versions(bundled: Matcher) -> None:
    assert bundled.match(model("Stable Diffusion 1.0")) == Match(
        "stable-diffusion", "alias 'Stable Diffusion-1.0'"
    )
    assert bundled.match(model("Stable Diffusion-2.0")) == Match(
        "stable-diffusion-2", "name 'Stable Diffusion 2.0'"
    )
    assert bundled.match(model("Stable Diffusion 3.0")) is None


def test_whisper_versions(bundled: Matcher) -> None:
    assert bundled.match(model("Whisper")) == Match("whisper", "id")
    assert bundled.match(model("Whisper V2")) == Match("whisper-large-v2", "alias 'Whisper V2'")
    assert bundled.match(model("Whisper V3")) == Match("whisper-large-v3", "alias 'Whisper V3'")
    assert bundled.match(model("Whisper V4")) is None


def test_strong_key_refused_when_the_versions_differ(bundled: Matcher) -> None:
    """openai/whisper-large-v2 is only whisper-large-v2's repo, but V3 is not V2."""
    repo = {"huggingface": ["openai/whisper-large-v2"]}
    speech = ["speech"]  # the catalog files Whisper under speech, as Epoch's rows do
    assert bundled.match(model("OpenAI Whisper V3", weights=repo, domains=speech)) is None
    assert bundled.match(model("Whisper-Large V2 (OpenAI)", weights=repo, domains=speech)) == Match(
        "whisper-large-v2", "Hugging Face repo openai/whisper-large-v2", weak=True
    )


def test_stable_diffusion_2_is_not_matched_through_a_v1_repo(bundled: Matcher) -> None:
    repo = {"huggingface": ["CompVis/stable-diffusion-v1-4"]}
    assert bundled.match(model("Stable Diffusion 2.0 XL", weights=repo)) is None
    # XL names another model (SDXL 1.0), not a size of Stable Diffusion 1
    assert bundled.match(model("Stable Diffusion 1.0 XL", weights=repo)) is None
    assert bundled.match(model("Stable Diffusion v1.0 (CompVis)", weights=repo)) == Match(
        "stable-diffusion", "Hugging Face repo CompVis/stable-diffusion-v1-4", weak=True
    )


def test_v_moe_code_with_another_version_is_refused(bundled: Matcher) -> None:
    code = ["https://github.com/google-research/vmoe"]
    assert bundled.match(model("V-MoE 2", code=code)) is None
    assert bundled.match(model("Vision MoE (Google)", code=code, domains=["cv"])) == Match(
        "v-moe", "code github.com/google-research/vmoe", weak=True
    )
    # the same code, but a row in another field (a language model) is not the vision model
    assert bundled.match(model("Vision MoE (Google)", code=code, domains=["nlp"])) is None


# --- arXiv, Hugging Face and code keys ---------------------------------------------------------------


def test_match_by_arxiv(bundled: Matcher) -> None:
    # seed 004's spelling of Chinchilla is not an alias; its paper says which model it is
    found = bundled.match(model("Chinchila", papers=[{"arxiv": "2203.15556"}]))
    assert found == Match("chinchilla", "arXiv 2203.15556", weak=True)


def test_arxiv_refused_when_the_name_is_unrelated(bundled: Matcher) -> None:
    """Seed 004 gives Cerebras-GPT the Chinchilla paper: a paper link alone does not make a match."""
    assert bundled.match(model("Wafer Scale LM", papers=[{"arxiv": "2203.15556"}])) is None
    # under its (misspelt) name the row still finds Cerebras-GPT, not Chinchilla
    found = bundled.match(model("Cerabras-GPT", papers=[{"arxiv": "2203.15556"}]))
    assert found == Match("cerebras-gpt", "alias 'Cerabras-GPT'")


def test_match_by_hugging_face_repo_ignores_case(bundled: Matcher) -> None:
    found = bundled.match(model("Gpt NeoX Big", weights={"huggingface": ["eleutherai/GPT-NEOX-20B"]}))
    assert found == Match("gpt-neox-20b", "Hugging Face repo eleutherai/GPT-NEOX-20B", weak=True)


def test_match_by_variant_weights(bundled: Matcher) -> None:
    """Variant weights are keys too: cerebras/Cerebras-GPT-111M is listed under a variant."""
    found = bundled.match(
        model("Cerebras GPT small", weights={"huggingface": ["cerebras/Cerebras-GPT-111M"]})
    )
    assert found == Match("cerebras-gpt", "Hugging Face repo cerebras/Cerebras-GPT-111M", weak=True)


def test_a_repo_of_the_model_and_one_of_a_variant_are_each_keys() -> None:
    """A model's own repository and a variant's are looked up apart (issue 18: the index on disk); a
    variant's names the variant, so a size word in the row's name does not keep it apart."""
    falcon = model("Falcon", weights={"huggingface": ["TIIUAE/Falcon-40B"]})
    cerebras = model(
        "Cerebras-GPT", variants=[{"name": "Cerebras-GPT 111M", "weights": ["cerebras/GPT-111M"]}]
    )
    matcher = matcher_of(falcon, cerebras)
    assert matcher.match(model("Falcon (TII)", weights={"huggingface": ["tiiuae/falcon-40b"]})) == Match(
        "falcon", "Hugging Face repo tiiuae/falcon-40b", weak=True
    )
    row = model("Cerebras-GPT small", weights={"huggingface": ["Cerebras/GPT-111M"]})
    assert matcher.match(row) == Match("cerebras-gpt", "Hugging Face repo Cerebras/GPT-111M", weak=True)
    # the same repository as the model's own is not a variant's: the size word keeps the row apart
    own = matcher_of(model("Cerebras-GPT", weights={"huggingface": ["cerebras/GPT-111M"]}))
    assert own.match(row) is None
    assert matcher.named("falcon") == {"falcon"} and matcher.named("Cerebras-GPT 111M") == {"cerebras-gpt"}
    assert matcher.named("Falcon 40B") == set()


def test_match_by_code_url(bundled: Matcher) -> None:
    found = bundled.match(model("Mengzi model", code=["https://GitHub.com/Langboat/Mengzi.git/"]))
    assert found == Match("mengzi", "code github.com/langboat/mengzi", weak=True)


def test_strong_key_needs_a_similar_name(bundled: Matcher) -> None:
    repo = {"huggingface": ["EleutherAI/gpt-neox-20b"]}
    assert bundled.match(model("Unrelated Chatbot", weights=repo)) is None


def test_key_shared_by_two_models_matches_neither(bundled: Matcher) -> None:
    """whisper, whisper-large-v2 and whisper-large-v3 share the paper and the code repository."""
    paper = [{"arxiv": "2212.04356"}]
    assert bundled.match(model("Whisperer", papers=paper)) is None
    assert bundled.match(model("OpenAI Whisper Model", code=["https://github.com/openai/whisper"])) is None
    assert bundled.code_owners("https://github.com/openai/whisper") == {
        "whisper",
        "whisper-large-v2",
        "whisper-large-v3",
    }


def test_name_shared_by_two_models_matches_neither() -> None:
    first = model("Falcon", id="falcon-llm")
    second = model("Falcon Bird", id="falcon-bird", aliases=["falcon"])
    matcher = matcher_of(first, second)
    assert matcher.by_name("FALCON") is None
    assert matcher.match(model("Falcon", id="other")) is None


def test_name_beats_strong_keys(bundled: Matcher) -> None:
    """The row is named V-MoE; the GPT code link it carries (seed 004's mistake) does not matter."""
    found = bundled.match(model("GPT", code=["https://github.com/google-research/vmoe"]))
    assert found == Match("gpt-1", "name 'GPT'")


def test_code_owners(bundled: Matcher) -> None:
    assert bundled.code_owners("https://github.com/google-research/vmoe/") == {"v-moe"}
    assert bundled.code_owners("https://github.com/nobody/nothing") == set()


def test_added_models_are_found_and_keys_accumulate() -> None:
    matcher = Matcher()
    first = model("New Model", papers=[{"arxiv": "2401.00001"}])
    matcher.add(first)
    assert "new-model" in matcher and "other" not in matcher
    assert matcher.model("new-model") is first
    # re-added with an alias: the alias is found, and the old paper key still works
    matcher.add(first.model_copy(update={"aliases": ["NM-1"], "papers": []}))
    assert matcher.by_name("nm 1") == Match("new-model", "alias 'NM-1'")
    assert matcher.match(model("New Model X", papers=[{"arxiv": "2401.00001"}])) == Match(
        "new-model", "arXiv 2401.00001", weak=True
    )


# --- weak matches must agree on the release year ----------------------------------------------------


def test_exact_name_match_is_not_weak(bundled: Matcher) -> None:
    found = bundled.match(model("Chinchilla", released="2015"))
    assert found == Match("chinchilla", "id") and not found.weak


@pytest.mark.parametrize(
    ("released", "matches"), [("2022", True), ("2021", True), ("2023-05", True), ("2020", False)]
)
def test_weak_key_needs_release_years_within_one(bundled: Matcher, released: str, matches: bool) -> None:
    """Chinchilla was released in 2022; an arXiv match a year off is fine, two years off is not."""
    found = bundled.match(model("Chinchila", papers=[{"arxiv": "2203.15556"}], released=released))
    assert found == (Match("chinchilla", "arXiv 2203.15556", weak=True) if matches else None)


def test_weak_size_match_needs_release_years_within_one(bundled: Matcher) -> None:
    """LLaMA was released in 2023: a 2019 'LLaMA 70B' is not it."""
    assert bundled.match(model("LLaMA 70B", released="2024")) is not None
    assert bundled.match(model("LLaMA 70B", released="2019")) is None


def test_decimal_sizes_are_not_confused(bundled: Matcher) -> None:
    found = bundled.match(model("Cerebras-GPT-13B"))
    assert found is not None and found.variant == "Cerebras-GPT-13B"


# --- another member of the family: an edition word, glued letters, a size far off -------------------

DEEPSEEK_CODE = ["https://github.com/deepseek-ai/DeepSeek-V2"]


def deepseek_v2(**fields: Any) -> Model:
    """As the lists give it: 236B, with the code repository that the Lite model shares."""
    return model("DeepSeek-V2", parameters={"total": "236B"}, code=DEEPSEEK_CODE, **fields)


def test_edition_word_in_the_row_name_is_another_model() -> None:
    """open-llms' DeepSeek-V2-Lite links DeepSeek-V2's code: the shared code does not make it DeepSeek-V2."""
    matcher = matcher_of(deepseek_v2())
    assert matcher.match(model("DeepSeek-V2-Lite", code=DEEPSEEK_CODE)) is None
    assert matcher.match(model("DeepSeek-V2 Lite", code=DEEPSEEK_CODE, parameters={"total": "16B"})) is None
    # Chat is the same model's weights; a word that names no edition is harmless
    assert matcher.match(model("DeepSeek-V2-Chat", code=DEEPSEEK_CODE)) == Match(
        "deepseek-v2", "code github.com/deepseek-ai/deepseek-v2", weak=True
    )
    assert matcher.match(model("DeepSeek-V2 (DeepSeek AI)", code=DEEPSEEK_CODE)) is not None


def test_edition_listed_by_the_catalog_matches() -> None:
    as_alias = matcher_of(deepseek_v2(aliases=["DeepSeek-V2-Lite"]))
    assert as_alias.match(model("DeepSeek V2 Lite")) == Match("deepseek-v2", "alias 'DeepSeek-V2-Lite'")
    as_variant = matcher_of(deepseek_v2(variants=[{"name": "DeepSeek-V2-Lite", "parameters": "15.7B"}]))
    found = as_variant.match(model("DeepSeek-V2-Lite", code=DEEPSEEK_CODE, parameters={"total": "16B"}))
    assert found == Match("deepseek-v2", "variant name 'DeepSeek-V2-Lite'", variant="DeepSeek-V2-Lite")


@pytest.mark.parametrize(
    ("row", "catalog", "paper"),
    [
        ("Flan-UL2", "UL2", "2205.05131"),  # ecosystem-graphs cites the UL2 paper for Flan-UL2
        ("Code Tulu 2", "Tulu 2", "2311.10702"),
        ("mT0", "T0", "2110.08207"),  # letters glued on: mT0 is not T0 (nor ChatGLM GLM)
    ],
)
def test_a_paper_shared_by_a_family_does_not_join_its_members(row: str, catalog: str, paper: str) -> None:
    matcher = matcher_of(model(catalog, papers=[{"arxiv": paper}]))
    assert matcher.match(model(row, papers=[{"arxiv": paper}])) is None
    # under the model's own name (plus harmless words) the paper still finds it
    assert matcher.match(model(f"{catalog} (release)", papers=[{"arxiv": paper}])) is not None


@pytest.mark.parametrize(
    ("name", "other", "apart"),
    [
        ("DeepSeek-V2-Lite", "DeepSeek-V2", "lite"),
        ("DeepSeek-V2", "DeepSeek-V2-Lite", "lite"),  # either way round
        ("Flan-UL2", "UL2", "flan"),
        ("Qwen2.5-Coder (7B)", "Qwen2.5", "coder"),
        ("mT0", "T0", "m"),
        ("ChatGLM", "GLM", "chat"),
        ("Mengzi model", "Mengzi", ""),
        ("Cerebras GPT small", "CerebrasGPT", "small"),  # spelt apart or together, the same words
        ("Whisper-Large V2 (OpenAI)", "large-v2", ""),
        ("Megatron-LM", "Megatron-LM (1T)", ""),
        ("FalconLite2", "Falcon", "lite"),
        ("Transformers", "Transformer", None),  # glued onto the end, but no edition: spelt alike
        # '+' adds a component: another system (Epoch lists both)
        ("True-Regularization+Finetune+Dynamic-Eval", "True-Regularization+Finetune", "plus"),
        ("DPO on Pythia-2.8B", "DPO", "on"),  # a method applied to a model is not the method
        ("Tulu V2 DPO 70B", "Tulu 2", None),  # 'tulu2' is not in 'tuluv2dpo70b': see edition_words()
        ("Falcon-180B", "Falcon-40B", None),  # neither contains the other: sizes decide
        ("Chinchila", "Chinchilla", None),
        ("LLaMA", "LLaMA", None),
    ],
)
def test_edition_apart(name: str, other: str, apart: str | None) -> None:
    assert edition_apart(name, other) == apart


def test_size_word_with_the_same_size_is_the_model() -> None:
    """Epoch's CPM-Large (2.6B) is CPM, which is 2.6B: the size word names the model itself."""
    paper = [{"arxiv": "2012.00413"}]
    matcher = matcher_of(model("CPM", parameters={"total": "2.6B"}, papers=paper))
    found = matcher.match(model("CPM-Large", parameters={"total": "2.6B"}, papers=paper))
    assert found == Match("cpm", "arXiv 2012.00413", weak=True)
    assert matcher.match(model("CPM-Large", papers=paper)) is None  # no size to tell
    assert matcher.match(model("CPM-Small", parameters={"total": "109M"}, papers=paper)) is None
    # an edition that is not a size is another model whatever its size
    ul2 = [{"arxiv": "2205.05131"}]
    flan = matcher_of(model("UL2", parameters={"total": "20B"}, papers=ul2))
    assert flan.match(model("Flan-UL2", parameters={"total": "20B"}, papers=ul2)) is None


def test_edition_words_leave_base_chat_and_instruct_out() -> None:
    assert EDITION_WORDS.isdisjoint({"base", "chat", "instruct"})
    assert {"lite", "mini", "small", "flan", "code"} <= EDITION_WORDS
    assert SIZE_WORDS < EDITION_WORDS and "flan" not in SIZE_WORDS


FALCON_PAPER = [{"arxiv": "2311.16867"}]


def test_size_far_from_the_model_refuses_a_paper_match() -> None:
    """ecosystem-graphs cites 'The Falcon Series' for both Falcon-40B and Falcon-180B."""
    falcon_40b = model("Falcon-40B", parameters={"total": "40B"}, papers=FALCON_PAPER, released="2023-06-14")
    matcher = matcher_of(falcon_40b)
    row = model("Falcon-180B", parameters={"total": "180B"}, papers=FALCON_PAPER, released="2023-09-06")
    assert matcher.match(row) is None
    # near the model's size, or of unknown size, the paper matches as before
    for size in ({"total": "41B"}, {}):
        found = matcher.match(model("Falcon 40B-TII", parameters=size, papers=FALCON_PAPER))
        assert found == Match("falcon-40b", "arXiv 2311.16867", weak=True)


def test_size_near_a_variant_matches_the_variant() -> None:
    family = model(
        "LLaMA",
        parameters={"total": "65.2B"},
        variants=[{"name": "LLaMA-7B", "parameters": "6.7B"}],
        papers=[{"arxiv": "2302.13971"}],
    )
    row = model("Meta LLaMA", parameters={"total": "7B"}, papers=[{"arxiv": "2302.13971"}])
    # the row is the variant: its size is the variant's, not a conflict with the 65.2B total
    found = matcher_of(family).match(row)
    assert found == Match("llama", "arXiv 2302.13971", variant="LLaMA-7B", weak=True)
    row = model("Meta LLaMA", parameters={"total": "65B"}, papers=[{"arxiv": "2302.13971"}])
    assert matcher_of(family).match(row) == Match("llama", "arXiv 2302.13971", weak=True)


def test_size_far_from_the_model_refuses_a_name_with_a_size() -> None:
    """ecosystem-graphs' Platypus is 13B; the store's only Platypus is Platypus-70B."""
    matcher = matcher_of(model("Platypus-70B", parameters={"total": "70B"}))
    assert matcher.match(model("Platypus", parameters={"total": "13B"})) is None
    assert matcher.match(model("Platypus", parameters={"total": "70B"})) == Match(
        "platypus-70b", "name with a size: 'Platypus-70B'", weak=True
    )
    # sources that count a little differently still agree (Persimmon-8B has 9.3B parameters)
    persimmon = matcher_of(model("Persimmon-8B", parameters={"total": "9.3B"}))
    assert persimmon.match(model("Persimmon", parameters={"total": "8B"})) is not None


def test_a_name_only_spelt_alike_needs_a_close_size() -> None:
    """``mT0`` (13B) and ``T0++`` (11B) share the T0 paper and two letters: not enough, 18% apart."""
    matcher = matcher_of(model("T0++", parameters={"total": "11B"}, papers=[{"arxiv": "2110.08207"}]))
    paper = [{"arxiv": "2110.08207"}]
    assert matcher.match(model("mT0", parameters={"total": "13B"}, papers=paper)) is None
    assert matcher.match(model("T0pp", parameters={"total": "11B"}, papers=paper)) is not None


MEGATRON = {"parameters": {"total": "8.3B"}, "released": "2019-08", "papers": [{"arxiv": "1909.08053"}]}
MEGATRON_1T_ROW = {
    "id": "megatron-lm",
    "parameters": {"total": "1T"},
    "released": "2021-04-09",
    "papers": [{"arxiv": "2104.04473"}],
}


def test_exact_name_far_in_size_goes_to_the_model_with_the_name_and_the_size() -> None:
    """ecosystem-graphs' Megatron-LM is the 1T model of the 2021 paper; Epoch names it Megatron-LM (1T)."""
    sized = model("Megatron-LM (1T)", parameters={"total": "1T"}, released="2021-04-09")
    matcher = matcher_of(model("Megatron-LM", **MEGATRON), sized)
    found = matcher.match(model("Megatron-LM", **MEGATRON_1T_ROW))
    assert found == Match("megatron-lm-1t", "name 'Megatron-LM (1T)', not megatron-lm (8.3B: id)", weak=True)
    # the 8.3B row is still Megatron-LM
    assert matcher.match(model("Megatron-LM", **MEGATRON)) == Match("megatron-lm", "id")


def test_exact_name_far_in_size_goes_to_the_model_with_its_paper_and_size() -> None:
    trillion = model("Megatron-LM GPU Clusters", parameters={"total": "1T"}, papers=[{"arxiv": "2104.04473"}])
    matcher = matcher_of(model("Megatron-LM", **MEGATRON), trillion)
    found = matcher.match(model("Megatron-LM", **MEGATRON_1T_ROW))
    assert found is not None and found.model_id == "megatron-lm-gpu-clusters" and found.weak
    assert found.how.startswith("arXiv 2104.04473, not megatron-lm")


def test_exact_name_far_in_size_with_nothing_better_stays() -> None:
    """With no 1T model the name decides, and the sizes become a conflict (as ERNIE-ViLG 2.0's 10B vs 24B)."""
    matcher = matcher_of(model("Megatron-LM", **MEGATRON))
    assert matcher.match(model("Megatron-LM", **MEGATRON_1T_ROW)) == Match("megatron-lm", "id")


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("mT0-13B", ("mt0", 13_000_000_000)),  # the key mt013b alone would give "mt"
        ("GPT-2 1.5B", ("gpt2", 1_500_000_000)),
        ("Megatron-LM (1T)", ("megatronlm", 1_000_000_000_000)),
        ("GPT-NeoX-20B", ("gptneox", 20_000_000_000)),
        ("Pythia12B", ("pythia", 12_000_000_000)),  # not set off: split as size_of does
        ("Whisper", None),
    ],
)
def test_split_size_keeps_the_digits_of_the_name(name: str, split: tuple[str, int] | None) -> None:
    assert _split_size(name) == split


def test_row_name_without_the_size_when_the_name_ends_in_a_digit() -> None:
    """Epoch's mT0-13B: ecosystem-graphs' mT0 is it (it was not found, the stem being "mt")."""
    matcher = matcher_of(model("mT0-13B", parameters={"total": "13B"}))
    assert matcher.match(model("mT0", parameters={"total": "13B"})) == Match(
        "mt0-13b", "name with a size: 'mT0-13B'", weak=True
    )
    assert matcher_of(model("GPT-2 1.5B")).match(model("GPT-2")) is not None


# --- tasks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "slug"),
    [
        ("question answering", "question-answering"),
        ("Image classification", "image-classification"),
        ("code generation", "code-generation"),
        ("(Visual) Question answering", "visual-question-answering"),
        ("Speech recognition (ASR)", "speech-recognition"),
        ("Named entity recognition (NER)", "named-entity-recognition"),
        ("Protein or nucleotide language model (pLM/nLM)", "protein-or-nucleotide-language-model"),
        ("Animal (human/non-human) imitation", "animal-human-non-human-imitation"),
        ("Language modeling/generation", "language-modeling-generation"),
        ("3D reconstruction", "3d-reconstruction"),
        ("  Text-to-image ", "text-to-image"),
        ("question-answering", "question-answering"),
        ("", ""),
    ],
)
def test_task_slug(task: str, slug: str) -> None:
    assert task_slug(task) == slug


def test_task_slug_keeps_every_catalog_spelling() -> None:
    tasks = {t for entry in validate_catalog(CATALOG).models for t in entry.record.tasks}
    assert len(tasks) > 100
    assert {t for t in tasks if task_slug(t) != t} == set()


@pytest.mark.parametrize(
    ("name", "other", "word"),
    [
        ("NVLM-D 72B", "NVLM-X 72B", ("d", "x")),
        ("Qwen3.5-Omni-Flash", "Qwen3.5-Omni-Plus", ("flash", "plus")),
        ("SigLiT", "SigLIP 400M", ("siglit", "siglip")),
        ("T0pp", "T0++", None),  # pp is how the Hub spells ++
        ("Chinchila", "Chinchilla", None),  # a dropped letter: a misspelling
        ("Swin Transformer V2 (SwinV2-G)", "SwinV2-G", None),  # the bracket is the name
        ("GPT-3 175B (davinci)", "GPT-3", None),  # only adds words
        ("Flexi-JEST++", "JEST++", None),  # adds a word: not a substitution (see prefixed)
    ],
)
def test_substituted(name: str, other: str, word: tuple[str, str] | None) -> None:
    assert substituted(name, other) == word


@pytest.mark.parametrize(
    ("name", "other", "word"),
    [
        ("JEST++", "Flexi-JEST++", "flexi"),
        ("Flexi-JEST++", "JEST++", None),  # the row may add words before it (an org, a family)
        ("LLaMA", "LLaMA", None),
        ("GPT-3", "GPT-3 175B", None),
    ],
)
def test_prefixed(name: str, other: str, word: str | None) -> None:
    assert prefixed(name, other) == word


def test_shared_paper_with_substituted_or_prefixed_names_is_no_match() -> None:
    """Both directions: NVLM-X is not NVLM-D through their one paper; 'NVLM-X' spelt 'NVLM X' is."""
    paper = [{"arxiv": "2409.11402"}]
    matcher = matcher_of(model("NVLM-X 72B", parameters={"total": "72B"}, papers=paper))
    assert matcher.match(model("NVLM-D 72B", parameters={"total": "72B"}, papers=paper)) is None
    found = matcher.match(model("NVLM X 72B (Nvidia)", parameters={"total": "72B"}, papers=paper))
    assert found is not None and found.model_id == "nvlm-x-72b"
    jest = matcher_of(model("Flexi-JEST++", papers=[{"arxiv": "2406.17711"}]))
    assert jest.match(model("JEST++", papers=[{"arxiv": "2406.17711"}])) is None


@pytest.mark.parametrize(
    ("name", "other", "expected"),
    [
        ("Transformer-XL+WN+AdamP", "Transformer-XL+AdamP", True),
        ("RHN(depth=40)", "RHN+HSG(depth=40)", True),
        ("T0++", "T0pp", False),  # one name, two spellings
        ("Transformer-XL+AdamP", "Transformer XL + AdamP", False),
        ("GPT-3", "GPT-3 175B", False),  # no '+': not a composition
    ],
)
def test_composed(name: str, other: str, expected: bool) -> None:
    assert composed(name, other) is expected


@pytest.mark.parametrize(
    ("name", "other", "expected"),
    [
        ("Big-Little Net", "Big-Little Net (speech)", True),
        ("Big-Little Net (vision)", "Big-Little Net (speech)", True),  # narrowed another way
        ("Big-Little Net (speech)", "Big-Little Net", False),  # the row may narrow, not the model
        ("Megatron-LM", "Megatron-LM (1T)", False),  # a size in brackets: sizes decide
        ("Perceiver IO (optical flow)", "Perceiver IO (optical flow)", False),
    ],
)
def test_qualified(name: str, other: str, expected: bool) -> None:
    assert qualified(name, other) is expected


def test_a_shared_paper_does_not_join_a_narrower_model_or_a_smaller_tier() -> None:
    """The audit's wrong joins (#16): ALBERT (18M) is not ALBERT-xxlarge (Epoch's 235M estimate), a vision
    Big-Little Net is not the speech one; ALBERT-xxlarge at its own size still is."""
    albert = model("ALBERT-xxlarge", papers=[{"arxiv": "1909.11942"}])
    albert = albert.model_copy(
        update={"estimates": [Estimate(field="parameters", value=235e6, by="Epoch AI", source="row")]}
    )
    matcher = matcher_of(albert)
    assert (
        matcher.match(model("ALBERT", parameters={"total": "18M"}, papers=[{"arxiv": "1909.11942"}])) is None
    )
    found = matcher.match(
        model("ALBERT xxlarge (Google)", parameters={"total": "235M"}, papers=[{"arxiv": "1909.11942"}])
    )
    assert found is not None and found.model_id == "albert-xxlarge"
    speech = model("Big-Little Net (speech)", domains=["speech"], papers=[{"arxiv": "1807.03848"}])
    vision = model("Big-Little Net", domains=["cv"], papers=[{"arxiv": "1807.03848"}])
    assert matcher_of(speech).match(vision) is None


def test_exact_name_holds_against_a_third_partys_size() -> None:
    """Epoch's AudioLM row carries only its estimate (1.5B) of a model whose maker states 1B: the name
    decides, even when another model has the name and the estimated size. A stated 1.5B goes there."""
    audiolm = model("AudioLM", parameters={"total": "1B"}, released="2022-09")
    other = model("AudioLM 1.5B", parameters={"total": "1.5B"}, released="2022-09")
    matcher = matcher_of(audiolm, other)
    guessed = model("AudioLM", released="2022-09").model_copy(
        update={"estimates": [Estimate(field="parameters", value=1.5e9, by="Epoch AI", source="row")]}
    )
    assert matcher.match(guessed) == Match("audiolm", "id")
    stated = model("AudioLM", parameters={"total": "1.5B"}, released="2022-09")
    assert matcher.match(stated) == Match(
        "audiolm-1.5b", "name 'AudioLM 1.5B', not audiolm (1B: id)", weak=True
    )


def test_a_number_with_a_unit_that_is_no_size_tells_models_apart() -> None:
    """Epoch's MiniMax-M1-40k and -80k rows (456B each; 40k and 80k are thinking budgets) share the paper
    and the repository: with no record listing both, they are two models; Llama-2-7B and Llama 2 are one
    (7B is the size)."""
    kw: dict[str, Any] = {
        "parameters": {"total": "456B"},
        "papers": [{"arxiv": "2506.13585"}],
        "code": ["https://github.com/MiniMax-AI/MiniMax-M1"],
        "released": "2025-06-16",
    }
    matcher = matcher_of(model("MiniMax-M1-80k", **kw))
    assert matcher.match(model("MiniMax-M1-40k", **kw)) is None
    assert matcher.match(model("MiniMax-M1 80k", **kw)) == Match("minimax-m1-80k", "id")
    llama = matcher_of(model("Llama 2", parameters={"total": "7B"}, papers=[{"arxiv": "2307.09288"}]))
    found = llama.match(model("Llama-2-7B", parameters={"total": "7B"}, papers=[{"arxiv": "2307.09288"}]))
    assert found is not None and found.model_id == "llama-2"


def test_a_model_s_keys_are_its_record_s_and_what_is_new_looks_up() -> None:
    """``Keys.of_model`` and ``Keys.of_record`` (its JSON read back) give the same keys, to the order:
    names with their kind and spelling, stems of sizes set off in names, aliases and variants, papers,
    own and variant repositories (case folded), code; and, for ``is_new``, the name's and aliases' keys
    with their stems (an empty key too), the papers, the own repositories alone and the code."""
    made = model(
        "Falcon-40B",
        aliases=["TII Falcon 40B", "!!"],
        variants=[{"name": "Falcon-7B", "weights": ["TIIUAE/falcon-7b"]}, {"name": "mini"}],
        papers=[{"arxiv": "2306.01116"}, {"title": "RefinedWeb"}],
        weights={"huggingface": ["TIIUAE/Falcon-40B"]},
        code=["https://GitHub.com/tiiuae/falcon.git/"],
    )
    keys = Keys.of_model(made)
    assert keys == Keys.of_record(orjson.loads(made.record_json()))
    assert keys.named == [
        ("falcon40b", "name", "Falcon-40B"),
        ("tiifalcon40b", "alias", "TII Falcon 40B"),
        ("falcon7b", "variant", "Falcon-7B"),
        ("mini", "variant", "mini"),
    ]
    assert keys.keys == [
        ("stem", "falcon"),
        ("stem", "tiifalcon"),
        ("stem", "falcon"),
        ("arxiv", "2306.01116"),
        ("hf", "tiiuae/falcon-40b"),
        ("hf", "tiiuae/falcon-7b"),
        ("variant_repo", "tiiuae/falcon-7b"),
        ("code", "github.com/tiiuae/falcon"),
    ]
    assert keys.spelt == [("falcon40b", "falcon"), ("tiifalcon40b", "tiifalcon"), ("", None)]
    assert (keys.papers, keys.repos, keys.code) == (
        ["2306.01116"],
        ["tiiuae/falcon-40b"],
        ["github.com/tiiuae/falcon"],
    )


@pytest.mark.parametrize(
    ("other", "new"),
    [
        (model("Orca"), True),
        (model("Falcon 40B"), False),  # its name's key
        (model("Hawk", aliases=["TII-Falcon-40B"]), False),  # its alias's key
        (model("Falcon"), False),  # its name's stem is a model's name
        (model("Falcon-180B"), True),  # a stem in common: two sizes of a family are two models
        (model("Falcon-40B 7B"), False),  # its name's key is a model's stem
        (model("Hawk", papers=[{"arxiv": "2306.01116"}]), False),  # one model's paper
        (model("Hawk", weights={"huggingface": ["tiiuae/falcon-40b"]}), False),  # one model's repository
        (model("Hawk", code=["https://github.com/tiiuae/falcon"]), False),  # a model's code
        (model("Hawk", variants=[{"name": "Falcon-7B"}]), True),  # a variant's name is not looked up
        (model("Hawk", variants=[{"name": "H-1", "weights": ["tiiuae/falcon-40b"]}]), False),  # hf key
        (model("Hawk", weights={"huggingface": ["tiiuae/falcon-7b"]}), True),  # the row's variant repo
    ],
)
def test_a_model_is_new_when_no_key_of_it_finds_one(other: Model, new: bool) -> None:
    made = model(
        "Falcon-40B",
        aliases=["TII Falcon 40B"],
        variants=[{"name": "Falcon-7B", "weights": ["tiiuae/falcon-7b"]}],
        papers=[{"arxiv": "2306.01116"}],
        weights={"huggingface": ["tiiuae/falcon-40b"]},
        code=["https://github.com/tiiuae/falcon"],
    )
    assert matcher_of(other).is_new(made.id, Keys.of_model(made)) is new
    assert matcher_of(model(made.name, id="elsewhere")).is_new("falcon-40b", Keys.of_model(made)) is False
    assert (
        matcher_of(model("Orca", id="falcon-40b")).is_new("falcon-40b", Keys.of_model(made)) is False
    )  # its id


def test_a_paper_or_repository_two_models_have_makes_nothing_not_new() -> None:
    made = model("Hawk", papers=[{"arxiv": "2306.01116"}], weights={"huggingface": ["lab/shared"]})
    paper, repo = {"papers": [{"arxiv": "2306.01116"}]}, {"weights": {"huggingface": ["LAB/shared"]}}
    assert matcher_of(model("Orca", **paper), model("Lark", **paper)).is_new("hawk", Keys.of_model(made))
    assert matcher_of(model("Orca", **repo), model("Lark", **repo)).is_new("hawk", Keys.of_model(made))
    assert not matcher_of(model("Orca", **repo)).is_new("hawk", Keys.of_model(made))
