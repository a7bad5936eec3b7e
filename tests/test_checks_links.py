"""The link checks: each trips on a record that is wrong and stays quiet on one that is right."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from modelatlas.catalog.links import list_repository, paper_key
from modelatlas.checks import Context, Subject, from_input
from modelatlas.checks.links import Kin, twin_finder
from modelatlas.checks.papers import same_title
from tests.checks_support import TODAY, findings, subject


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


# links.arxiv_title: a title that is an unrelated model's paper's

CHINCHILLA_TITLE = "Training Compute-Optimal Large Language Models"
CEREBRAS_TITLE = (
    "Cerebras-GPT: Open Compute-Optimal Language Models Trained on the Cerebras Wafer-Scale Cluster"
)


def chinchilla_and_cerebras() -> list[Subject]:
    """The catalog's Chinchilla and Cerebras-GPT, with their own papers."""
    return [
        subject(
            id="chinchilla",
            name="Chinchilla",
            family="chinchilla",
            organizations=["deepmind"],
            **titled(CHINCHILLA_TITLE, "2203.15556"),
        ),
        subject(
            id="cerebras-gpt",
            name="Cerebras-GPT",
            aliases=["Cerabras-GPT"],
            family="cerebras-gpt",
            organizations=["cerebras"],
            **titled(CEREBRAS_TITLE, "2304.03208"),
        ),
    ]


def test_the_title_of_an_unrelated_models_paper_on_another_paper() -> None:
    # seed 004's Cerabras-GPT row, with the Chinchilla title on the NeurIPS version of that paper
    neurips = "https://papers.nips.cc/paper_files/paper/2022/hash/c1e2faff6f588870935f114ebe04a3e5-Abstract-Conference.html"
    listed = row(
        15, id="cerabras-gpt", name="Cerabras-GPT", papers=[{"title": CHINCHILLA_TITLE, "url": neurips}]
    )
    (found,) = findings("links.arxiv_title", [listed], known=chinchilla_and_cerebras())
    assert found.severity.name == "warning" and found.field == "papers.title" and found.line == 15
    assert found.message == (
        f"{CHINCHILLA_TITLE!r} is the title of Chinchilla's paper (arXiv:2203.15556), unrelated to "
        f"Cerabras-GPT: the catalog gives Cerebras-GPT arXiv:2304.03208 ({CEREBRAS_TITLE!r})"
    )
    assert found.evidence == (
        f"chinchilla (chinchilla.yaml:{found_line(chinchilla_and_cerebras()[0])}): {CHINCHILLA_TITLE!r}, "
        f"arXiv:2203.15556; here: {neurips}"
    )
    # a title with no link at all is judged the same way
    bare = row(15, id="cerabras-gpt", name="Cerabras-GPT", papers=[{"title": CHINCHILLA_TITLE}])
    (found,) = findings("links.arxiv_title", [bare], known=chinchilla_and_cerebras())
    assert found.field == "papers.title" and found.evidence.endswith("here: no arXiv id or URL")


def found_line(record: Subject) -> int:
    return record.line_at(("papers", 0, "title"))


def test_a_title_of_a_paper_that_presents_several_models_passes() -> None:
    # Epoch's NPLM rows give Bengio's paper (the catalog's NNLM) through the ACM DOI: no evidence it is
    # not theirs, as the catalog has no NPLM of its own
    title = "A Neural Probabilistic Language Model"
    nnlm = subject(
        id="nnlm",
        name="NNLM",
        papers=[
            {
                "title": title,
                "url": "https://papers.nips.cc/paper/2000/hash/728f206c2a01bf572b5940d7d9a8fa4c-Abstract.html",
            }
        ],
    )
    nplm = row(
        7781,
        origin="epoch:notable_ai_models.csv",
        id="nplm-brown",
        name="NPLM (Brown)",
        papers=[{"title": title, "url": "https://dl.acm.org/doi/10.5555/944919.944966"}],
    )
    # and rows of one input giving one announcement to unrelated names (Epoch's SenseNova 4.0 rows)
    news = "https://www.sensetime.com/en/news-detail/51167493?categoryId=1072"
    sense = [
        row(
            line,
            origin="epoch:all_ai_models.csv",
            id=slug,
            name=name,
            papers=[{"title": "SenseTime Unveils SenseNova 4.0, Bringing Novel AI experience", "url": news}],
        )
        for line, slug, name in (
            (3821, "sensechat-dataanalysis-v4", "SenseChat-DataAnalysis V4"),
            (3823, "sensemirage-v4", "SenseMirage V4"),
        )
    ]
    assert findings("links.arxiv_title", [nplm, *sense], known=[nnlm]) == []
    # the catalog's own model with the title is no stranger
    cerebras = row(15, id="cerabras-gpt", name="Cerabras-GPT", papers=[{"title": CEREBRAS_TITLE}])
    assert findings("links.arxiv_title", [cerebras], known=chinchilla_and_cerebras()) == []


def test_one_title_with_two_ids_within_one_input() -> None:
    title = "Scaling Instruction-Finetuned Language Models"
    rows = [
        row(3, id="flan-t5", name="Flan-T5", **titled(title, "2210.11416")),
        row(4, id="flan-palm", name="Flan-PaLM", **titled(title, "2210.11417")),
    ]
    found = findings("links.arxiv_title", rows)
    assert [(f.model, f.severity.name) for f in found] == [("flan-t5", "warning"), ("flan-palm", "warning")]
    assert found[0].message == f"{title!r} is arXiv:2210.11416 here, arXiv:2210.11417 on Flan-PaLM"


# links.shared_paper

EPOCH_PAPERS = Path(__file__).parent / "fixtures" / "checks" / "epoch_papers.csv"


def test_a_paper_the_catalog_gives_another_model() -> None:
    # seed 004 gives Cerabras-GPT the Chinchilla paper; the catalog gives Cerebras-GPT its own
    listed = row(15, id="cerabras-gpt", name="Cerabras-GPT", **titled(CHINCHILLA_TITLE, "2203.15556"))
    (found,) = findings("links.shared_paper", [listed], known=chinchilla_and_cerebras())
    assert found.severity.name == "warning" and found.field == "papers.arxiv" and found.line == 15
    assert found.message == (
        f"arXiv:2203.15556 ({CHINCHILLA_TITLE!r}) is also the paper of Chinchilla, unrelated to "
        f"Cerabras-GPT: the catalog gives Cerebras-GPT arXiv:2304.03208 ({CEREBRAS_TITLE!r})"
    )
    assert found.evidence.startswith(f"chinchilla: arXiv:2203.15556 ({CHINCHILLA_TITLE!r}) (chinchilla.yaml:")
    # GPT given V-MoE's paper, when the catalog gives GPT its own
    vmoe = subject(
        id="v-moe",
        name="V-MoE",
        organizations=["google"],
        **titled("Scaling Vision with Sparse Mixture of Experts", "2106.05974"),
    )
    gpt = subject(
        id="gpt-1",
        name="GPT",
        aliases=["GPT-1"],
        family="gpt",
        organizations=["openai"],
        papers=[
            {
                "title": "Improving Language Understanding by Generative Pre-Training",
                "url": "https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf",
            }
        ],
    )
    wrong = row(52, id="gpt", name="GPT", papers=[{"url": "https://arxiv.org/pdf/2106.05974v1.pdf"}])
    (found,) = findings("links.shared_paper", [wrong], known=[vmoe, gpt])
    assert found.field == "papers.url" and found.message.startswith(
        "https://arxiv.org/pdf/2106.05974v1.pdf is also the paper of V-MoE, unrelated to GPT: "
        "the catalog gives GPT https://cdn.openai.com/"
    )


def test_a_paper_url_under_another_models_title() -> None:
    # seed 004: 紫东太初 gets CogView's title and the DALL·E 2 PDF, which DALL·E2's row names
    pdf = "https://cdn.openai.com/papers/dall-e-2.pdf"
    dalle = row(
        77,
        id="dall-e2",
        name="DALL·E2",
        papers=[{"title": "Hierarchical Text-Conditional Image Generation with CLIP Latents", "url": pdf}],
    )
    taichu = row(
        83,
        id="m-e6de0799b9",
        name="紫东太初",
        papers=[{"title": "CogView: Mastering Text-to-Image Generation via Transformers", "url": pdf}],
    )
    (found,) = findings("links.shared_paper", [dalle, taichu])
    assert found.model == "m-e6de0799b9" and found.line == 83 and found.field == "papers.url"
    assert found.message == (
        f"{pdf} ('CogView: Mastering Text-to-Image Generation via Transformers') is also the paper of "
        "DALL·E2, unrelated to 紫东太初: DALL·E2 gives it the title "
        "'Hierarchical Text-Conditional Image Generation with CLIP Latents'"
    )


def test_papers_that_present_several_models_pass_and_named_ones_are_listed() -> None:
    # real Epoch rows: NVLM-D/H/X share 2409.11402; KN-LM and SB-LM one Semantic Scholar paper; Flan UL2
    # is built on UL2 and gives its paper; the 2024 "DDPM" and "DDIM" share a bioRxiv preprint although the
    # catalog's DDPM has another paper (the name matches, the model is another)
    ul2 = subject(id="ul2", name="UL2", **titled("UL2: Unifying Language Learning Paradigms", "2205.05131"))
    ddpm = subject(id="ddpm", name="DDPM", **titled("Denoising Diffusion Probabilistic Models", "2006.11239"))
    rows = from_input("epoch", EPOCH_PAPERS).subjects
    found = findings("links.shared_paper", rows, known=[ul2, ddpm])
    assert [(f.model, f.line, f.severity.name) for f in found] == [
        ("hawk", 18, "info"),
        ("fragllama-next-fragment-prediction-for-molecular-design", 50, "info"),
    ]
    assert found[0].message == (
        "arXiv:2402.19427 ('Griffin: Mixing Gated Linear Recurrences with Local Attention for Efficient "
        "Language Models') is also the paper of Griffin, unrelated to Hawk: the paper is named after Griffin"
    )
    assert found[1].message.endswith(": the paper is named after Chameleon-34B")


def test_one_key_for_every_spelling_of_a_paper() -> None:
    assert {
        paper_key(u)
        for u in (
            "https://arxiv.org/abs/2409.11402",
            "https://arxiv.org/abs/2409.11402v2",
            "http://arxiv.org/pdf/2409.11402v1.pdf",
            "https://arxiv.org/html/2409.11402v1",
            "https://huggingface.co/papers/2409.11402",
        )
    } == {"arxiv:2409.11402"}
    assert (
        paper_key("https://openreview.net/pdf?id=1ikK0kHjvj")
        == paper_key("https://openreview.net/forum?id=1ikK0kHjvj")
        == "openreview:1ikK0kHjvj"
    )
    assert paper_key("https://aclanthology.org/N19-1423.pdf") == paper_key(
        "https://www.aclweb.org/anthology/N19-1423/"
    )
    assert (
        paper_key("https://www.biorxiv.org/content/10.1101/2020.07.12.199554v3.full.pdf")
        == paper_key("https://www.biorxiv.org/content/10.1101/2020.07.12.199554v3")
        == "doi:10.1101/2020.07.12.199554"
    )
    # a NeurIPS hash repeats across years: JPMAX (1994) and BLSTM for handwriting (2007) are two papers
    jpmax = "https://proceedings.neurips.cc/paper_files/paper/1994/hash/4b0250793549726d5c1ea3906726ebfe-Abstract.html"
    blstm = "https://proceedings.neurips.cc/paper/2007/hash/4b0250793549726d5c1ea3906726ebfe-Abstract.html"
    assert paper_key(jpmax) != paper_key(blstm)
    assert paper_key(blstm) == paper_key(
        "https://papers.nips.cc/paper/2007/file/4b0250793549726d5c1ea3906726ebfe-Paper.pdf"
    )
    assert paper_key("https://www.yitay.net/blog/flan-ul2-20b") is None  # a blog post is no paper


def test_dated_versions_and_sizes_are_kin() -> None:
    base = subject(id="chatgpt", name="ChatGPT")
    dated = subject(id="gpt-3.5-turbo-0301", name="gpt-3.5-turbo (Mar 2023)", version_of="chatgpt")
    yi = [row(3021, id="yi-34b", name="Yi-34B"), row(3054, id="yi-6b", name="Yi 6B")]
    ctx = Context(today=TODAY, subjects=[dated, *yi], known=[base])
    kin = Kin(ctx.find, twin_finder(ctx))
    assert kin.related(dated, base) and kin.related(*yi)
    assert not kin.related(dated, yi[0])
