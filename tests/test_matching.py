"""modelatlas.sources.matching: which catalog model an imported row describes, and how it was found.

Most cases run against the bundled catalog (real names, real shared keys); the size rules run against a
handful of hand-made models so that no alias hides them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from modelatlas.catalog.schema import Model
from modelatlas.catalog.validate import validate_catalog
from modelatlas.sources.matching import Match, Matcher, code_key, size_of, versions
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
    assert bundled.match(model("Whisper V3")) is None


def test_strong_key_refused_when_the_versions_differ(bundled: Matcher) -> None:
    """openai/whisper-large-v2 is only whisper-large-v2's repo, but V3 is not V2."""
    repo = {"huggingface": ["openai/whisper-large-v2"]}
    assert bundled.match(model("OpenAI Whisper V3", weights=repo)) is None
    assert bundled.match(model("Whisper-Large V2 (OpenAI)", weights=repo)) == Match(
        "whisper-large-v2", "Hugging Face repo openai/whisper-large-v2", weak=True
    )


def test_stable_diffusion_2_is_not_matched_through_a_v1_repo(bundled: Matcher) -> None:
    repo = {"huggingface": ["CompVis/stable-diffusion-v1-4"]}
    assert bundled.match(model("Stable Diffusion 2.0 XL", weights=repo)) is None
    assert bundled.match(model("Stable Diffusion 1.0 XL", weights=repo)) == Match(
        "stable-diffusion", "Hugging Face repo CompVis/stable-diffusion-v1-4", weak=True
    )


def test_v_moe_code_with_another_version_is_refused(bundled: Matcher) -> None:
    code = ["https://github.com/google-research/vmoe"]
    assert bundled.match(model("V-MoE 2", code=code)) is None
    assert bundled.match(model("Vision MoE (Google)", code=code)) == Match(
        "v-moe", "code github.com/google-research/vmoe", weak=True
    )


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


def test_match_by_code_url(bundled: Matcher) -> None:
    found = bundled.match(model("Mengzi model", code=["https://GitHub.com/Langboat/Mengzi.git/"]))
    assert found == Match("mengzi", "code github.com/langboat/mengzi", weak=True)


def test_strong_key_needs_a_similar_name(bundled: Matcher) -> None:
    repo = {"huggingface": ["EleutherAI/gpt-neox-20b"]}
    assert bundled.match(model("Unrelated Chatbot", weights=repo)) is None


def test_key_shared_by_two_models_matches_neither(bundled: Matcher) -> None:
    """whisper and whisper-large-v2 share the paper and the code repository."""
    paper = [{"arxiv": "2212.04356"}]
    assert bundled.match(model("Whisperer", papers=paper)) is None
    assert bundled.match(model("OpenAI Whisper Model", code=["https://github.com/openai/whisper"])) is None
    assert bundled.code_owners("https://github.com/openai/whisper") == {"whisper", "whisper-large-v2"}


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
