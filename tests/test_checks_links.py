"""The link checks: each trips on a record that is wrong and stays quiet on one that is right."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from modelatlas.catalog.links import list_repository
from modelatlas.checks import Subject
from modelatlas.checks.papers import same_title
from tests.checks_support import findings, subject


def row(line: int = 7, origin: str = "paper-table:list.md", **fields: Any) -> Subject:
    """``subject(**fields)`` as a row of an input file, at ``line``."""
    return replace(subject(**fields), origin=origin, path=Path(origin.split(":")[1]), node=None, line=line)


# links.list_repo


def test_a_code_link_into_a_model_list_is_an_error() -> None:
    # seed 004 links Dolly 2.0's code to the list itself
    dolly = row(
        13,
        id="dolly-2.0",
        name="Dolly 2.0",
        code=["https://github.com/zhengzangw/awesome-huge-models/tree/main"],
    )
    (found,) = findings("links.list_repo", [dolly])
    assert found.severity.name == "error" and found.field == "code" and found.line == 13
    assert "zhengzangw/awesome-huge-models" in found.message and "Dolly 2.0" in found.message
    assert found.evidence.startswith("code: https://github.com/zhengzangw/awesome-huge-models")


def test_a_model_repository_or_a_list_as_source_is_fine() -> None:
    sources = [{"id": "list", "url": "https://github.com/eugeneyan/open-llms", "accessed": "2024-01-01"}]
    dolly = subject(code=["https://github.com/databrickslabs/dolly"], sources=sources)
    assert findings("links.list_repo", [dolly]) == []


def test_lists_are_known_by_name_or_listed() -> None:
    assert list_repository("https://github.com/OpenBMB/BMList") == "OpenBMB/BMList"
    assert list_repository("https://github.com/FreedomIntelligence/LLMZoo") is None  # Phoenix's code


def test_a_homepage_in_a_list_without_awesome_in_its_name() -> None:
    record = subject(homepage="https://github.com/eugeneyan/open-llms")
    (found,) = findings("links.list_repo", [record])
    assert found.field == "homepage" and found.line == record.line_at(("homepage",))


# links.arxiv_title

GALACTICA = "Galactica: A Large Language Model for Science"
MT_NLG = (
    "Using DeepSpeed and Megatron to Train Megatron-Turing NLG 530B, A Large-Scale Generative Language Model"
)
SWIN_V2 = "Swin Transformer V2: Scaling Up Capacity and Resolution"


def titled(title: str, arxiv: str) -> dict[str, Any]:
    """The ``papers`` field of a record with one paper."""
    return {"papers": [{"title": title, "arxiv": arxiv}]}


def test_a_row_whose_arxiv_id_is_another_titles() -> None:
    catalog = subject(id="galactica", name="Galactica", **titled(GALACTICA, "2211.09085"))
    blurb = "A scientific language model trained on over 48 million scientific texts"  # seed 004's "title"
    listed = row(18, id="galactica", name="Galactica", **titled(blurb, "2211.09085"))
    (found,) = findings("links.arxiv_title", [listed], known=[catalog])
    assert found.severity.name == "warning" and found.field == "papers.arxiv" and found.line == 18
    assert found.message == f"arXiv:2211.09085 is titled {GALACTICA!r} on Galactica, not {blurb!r}"
    assert found.evidence.startswith("galactica (galactica.yaml:") and blurb in found.evidence


def test_sub_titles_truncations_and_typos_agree() -> None:
    llama = subject(
        id="llama",
        name="LLaMA",
        **titled("LLaMA: Open and Efficient Foundation Language Models", "2302.13971"),
    )
    mt_nlg = subject(id="mt-nlg", name="MT-NLG", **titled(MT_NLG, "2201.11990"))
    rows = [
        row(
            3,
            id="llama",
            name="LLaMA",
            **titled("Open and Efficient Foundation Language Models", "2302.13971"),
        ),
        row(4, id="mt-nlg", name="MT-NLG", **titled(MT_NLG.replace("DeepSpeed", "Deep"), "2201.11990")),
        row(
            5, id="zephyr", name="Zephyr", papers=[{"title": "Website", "arxiv": "2201.11990"}]
        ),  # a link's text
    ]
    assert findings("links.arxiv_title", rows, known=[llama, mt_nlg]) == []
    assert same_title(
        "Deep Speech 2: End-to-End Speech Recognition in", "Deep Speech 2: End-to-End Speech Recognition"
    )
    assert not same_title("Scaling Vision Transformers", SWIN_V2)


def test_synced_arxiv_metadata_is_the_reference() -> None:
    wrong = subject(id="m", **titled(SWIN_V2, "2106.04560"))
    conflict = {
        "model_id": "m",
        "field": "papers.title",
        "kept": SWIN_V2,
        "other": "Scaling Vision Transformers",
        "source_id": "arxiv",
        "source_url": "https://arxiv.org/abs/2106.04560",
        "origin": "arxiv",
        "magnitude": None,
    }
    (found,) = findings("links.arxiv_title", [wrong], conflicts=[conflict])
    assert found.message == f"arXiv:2106.04560 is 'Scaling Vision Transformers', not {SWIN_V2!r}"
    assert found.evidence.startswith("arXiv metadata https://arxiv.org/abs/2106.04560")
    case_only = dict(conflict, other=SWIN_V2.lower())
    assert findings("links.arxiv_title", [wrong], conflicts=[case_only]) == []


def test_one_title_with_two_arxiv_ids() -> None:
    title = "Scaling Instruction-Finetuned Language Models"
    flan = subject(id="flan-t5", name="Flan-T5", **titled(title, "2210.11416"))
    other = subject(id="flan-palm", name="Flan-PaLM", **titled(title, "2210.11417"))
    found = findings("links.arxiv_title", [flan, other])
    assert {f.model for f in found} == {"flan-t5", "flan-palm"}
    assert any("is arXiv:2210.11416 here, arXiv:2210.11417 on Flan-PaLM" in f.message for f in found)
    same = subject(id="flan-palm", name="Flan-PaLM", **titled(title, "2210.11416"))
    assert findings("links.arxiv_title", [flan, same]) == []


def test_rows_of_another_input_are_no_reference_only_a_listing() -> None:
    report = "Phi-3 Technical Report: A Highly Capable Language Model Locally on Your Phone"
    epoch = row(9, origin="epoch:all.csv", id="phi-3", name="Phi-3", **titled(report, "2404.14219"))
    blog = row(59, id="phi-3", name="Phi-3", **titled("Introducing Phi-3, Technical Report", "2404.14219"))
    found = findings("links.arxiv_title", [epoch, blog])
    assert {f.severity.name for f in found} == {"info"} and len(found) == 2
    # one list's link texts for the same paper are not compared with each other
    other_blog = row(
        69,
        id="phi-3-small",
        name="Phi-3 small",
        **titled("New models added to the Phi-3 family", "2404.14219"),
    )
    assert findings("links.arxiv_title", [blog, other_blog]) == []


# links.shared_url

VMOE = "https://github.com/google-research/vmoe"


def test_a_repository_on_an_unrelated_model() -> None:
    # seed 004 gives GPT the V-MoE repository
    vmoe = subject(id="v-moe", name="V-MoE", organizations=["google"], code=[VMOE])
    gpt = row(52, id="gpt", name="GPT", code=[VMOE])
    (found,) = findings("links.shared_url", [gpt], known=[vmoe])
    assert found.severity.name == "warning" and found.model == "gpt" and found.line == 52
    assert found.message == f"code {VMOE} is also the code of V-MoE, unrelated to GPT"
    assert found.evidence.startswith(f"v-moe: code {VMOE} (v-moe.yaml:")


def test_the_owner_of_a_repository_is_not_reported() -> None:
    url = "https://github.com/NVIDIA/Megatron-LM"
    rows = [
        row(48, id="megatron-lm", name="Megatron-LM", code=[url]),
        row(51, id="gpt-2", name="GPT-2", code=[url]),
    ]
    (found,) = findings("links.shared_url", rows)
    assert found.model == "gpt-2" and "Megatron-LM" in found.message


def test_related_models_and_shared_homes_may_share_a_url() -> None:
    llama = subject(id="llama", name="LLaMA", code=["https://github.com/facebookresearch/llama"])
    alpaca = subject(
        id="alpaca",
        name="Alpaca",
        code=["https://github.com/facebookresearch/llama.git/"],
        base_models=[{"model": "llama", "relation": "fine-tune"}],
    )
    swin = subject(id="swin", name="Swin Transformer", code=["https://github.com/microsoft/Swin-Transformer"])
    swin2 = row(8, id="swinv2-g", name="SwinV2-G", code=["https://github.com/microsoft/Swin-Transformer"])
    framework = "https://openi.pcl.ac.cn/BAAI/WuDao-Model/src/branch/master"  # named after neither
    eva, cpm = (
        row(3, id="eva", name="EVA 2.0", code=[framework]),
        row(4, id="cpm-2", name="CPM-2", code=[framework]),
    )
    org = [
        subject(id=f"m{i}", name=f"Model {i}", homepage="https://huggingface.co/meta-llama") for i in range(2)
    ]
    assert findings("links.shared_url", [llama, alpaca, swin, swin2, eva, cpm, *org]) == []


# links.malformed


def test_urls_broken_by_copying() -> None:
    record = subject(
        code=["https://github.com/THUDM/GLM-130B)", "https://github.com/openmedlab"],
        homepage="https://example.org/model.",
        papers=[
            {"arxiv": "2106.05974", "url": "https://arxiv.org/abs/2106.04803"},
            {"url": "https://arxiv.org/list/cs.CL/recent"},
        ],
        weights={"urls": ["https://huggingface.co/spaces/a/b"]},
    )
    found = {(f.field, f.severity.name): f for f in findings("links.malformed", [record])}
    assert set(found) == {
        ("code", "error"),
        ("code", "warning"),
        ("homepage", "warning"),
        ("papers.url", "error"),
        ("weights.urls", "warning"),
    }
    assert "markdown residue" in found["code", "error"].message
    assert "GitHub account" in found["code", "warning"].message
    assert "ends in '.'" in found["homepage", "warning"].message
    by_line = sorted(f.line for f in findings("links.malformed", [record]) if f.field == "papers.url")
    assert by_line == [record.line_at(("papers", 0, "url")), record.line_at(("papers", 1, "url"))]
    mismatch = [f for f in findings("links.malformed", [record]) if "2106.04803" in f.message][0]
    assert mismatch.evidence == "papers.url: https://arxiv.org/abs/2106.04803; arxiv: 2106.05974"


def test_a_licence_file_as_code() -> None:
    url = "https://github.com/facebookresearch/llama/blob/main/LICENSE"
    (found,) = findings("links.malformed", [row(28, code=[url])])
    assert found.severity.name == "warning" and "licence file" in found.message and found.line == 28


def test_well_formed_urls_pass() -> None:
    record = subject(
        code=["http://github.com/THUDM/GLM-130B"],
        homepage="https://github.com/openmedlab",  # an organization's page is a fine homepage
        demo="https://en.wikipedia.org/wiki/Model_(machine_learning)",
        papers=[{"arxiv": "2501.12599", "url": "https://arxiv.org/html/2501.12599v1"}],
        weights={"urls": ["https://huggingface.co/THUDM/glm-130b"]},
        sources=[
            {
                "id": "web",
                "url": "https://web.archive.org/web/2022/https://lighton.ai/blog",
                "accessed": "2024-01-01",
            }
        ],
    )
    assert findings("links.malformed", [record]) == []
