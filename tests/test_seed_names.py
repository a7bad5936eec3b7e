"""Every model name and alias the five seed documents use resolves to the right catalog model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.store import queries as Q
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine

# (spelling as it appears in a seed, expected model id)
SEED_NAMES = [
    # seed 000
    ("ChatGLM", "chatglm"),
    ("ChatGLM-6B", "chatglm-6b"),
    ("LLaMA", "llama"),
    ("GPT-2", "gpt-2"),
    ("MOSS", "moss"),
    ("Stable Diffusion", "stable-diffusion"),
    ("UniDiffuser", "unidiffuser"),
    ("PaLM-E", "palm-e"),
    # seed 001
    ("GPT-3", "gpt-3"),
    ("ChatGPT", "chatgpt"),
    ("GPT-4", "gpt-4"),
    ("Alpaca", "alpaca"),
    ("Alpaca-7B", "alpaca"),
    ("Vicuna-13B", "vicuna"),
    ("Vicuna", "vicuna"),
    ("Bard", "bard"),
    ("Koala", "koala"),
    ("ChatLLaMA", "chatllama"),
    ("FreedomGPT", "freedomgpt"),
    ("ColossalChat", "colossalchat"),
    ("Dolly", "dolly"),
    ("LLama-13b", "llama"),
    ("CLIP", "clip"),
    ("Midjourney", "midjourney"),
    ("SAM", "sam"),
    ("Segment Anything Model", "sam"),
    ("LLaVA", "llava"),
    # seed 002
    ("LeNet-5", "lenet-5"),
    ("AlexNet", "alexnet"),
    ("VGG", "vgg"),
    ("ResNet", "resnet"),
    ("Diffusion Model", "ddpm"),
    ("Repaint", "repaint"),
    ("Transformer", "transformer"),
    ("GPT", "gpt-1"),
    ("chatglm", "chatglm"),
    ("LlaMa", "llama"),
    ("Chinese-LlaMA2", "chinese-llama-2"),
    ("Chinese-LLaMA-Alpaca-2", "chinese-llama-alpaca-2"),
    # seed 003
    ("NNLM", "nnlm"),
    ("RNNLM", "rnnlm"),
    ("LSTM-RNNLM", "lstm-rnnlm"),
    ("ELMO", "elmo"),
    ("GPT-1", "gpt-1"),
    ("BERT", "bert"),
    ("M6", "m6"),
    ("Stable Diffusion-1.0", "stable-diffusion"),
    ("Whisper", "whisper"),
    ("ERNIE-ViLG 2.0", "ernie-vilg-2"),
    ("Stable Diffusion-2.0", "stable-diffusion-2"),
    ("Whisper V2", "whisper-large-v2"),
    ("Visual ChatGPT", "visual-chatgpt"),
    ("HuggingGPT", "hugginggpt"),
    ("LVDM", "lvdm"),
    ("Whisper JAX", "whisper-jax"),
    ("紫东太初", "zidong-taichu"),
    ("紫东太初 2.0", "zidong-taichu-2"),
    ("紫东·太初2.0", "zidong-taichu-2"),
    # seed 004
    ("Dolly 2.0", "dolly-2"),
    ("StableLM", "stablelm"),
    ("Cerabras-GPT", "cerebras-gpt"),
    ("LLaMa", "llama"),
    ("BLOOM", "bloom"),
    ("Galactica", "galactica"),
    ("GLM-130B", "glm-130b"),
    ("UL2", "ul2"),
    ("OPT", "opt"),
    ("PaLM", "palm"),
    ("GPT-NeoX", "gpt-neox-20b"),
    ("GPT-NeoX-20B", "gpt-neox-20b"),
    ("InstructGPT", "instructgpt"),
    ("EVA 2.0", "eva-2"),
    ("AlphaCode", "alphacode"),
    ("ST-MoE", "st-moe"),
    ("LaMDA", "lamda"),
    ("ERNIE-ViLG", "ernie-vilg"),
    ("GLaM", "glam"),
    ("Gopher", "gopher"),
    ("Yuan 1.0", "yuan-1"),
    ("MT-NLG", "mt-nlg"),
    ("Codex", "codex"),
    ("ERNIE 3.0", "ernie-3"),
    ("HyperClova", "hyperclova"),
    ("ByT5", "byt5"),
    ("PanGu-α", "pangu-alpha"),
    ("mT5", "mt5"),
    ("GLM", "glm"),
    ("Switch Transformer", "switch-transformer"),
    ("CPM", "cpm"),
    ("Blender", "blenderbot"),
    ("Meena", "meena"),
    ("DialoGPT", "dialogpt"),
    ("T5", "t5"),
    ("Megatron-LM", "megatron-lm"),
    ("RoBERTa", "roberta"),
    ("XLNet", "xlnet"),
    ("DINOv2", "dinov2"),
    ("SEEM", "seem"),
    ("PICASSO", "picasso"),
    ("书生", "intern"),
    ("AllInOne", "all-in-one"),
    ("CoCa", "coca"),
    ("CoAtNet", "coatnet"),
    ("Swin Transformer", "swin-transformer"),
    ("V-MOE", "v-moe"),
    ("ViT", "vit"),
    ("DALL·E2", "dall-e-2"),
    ("Imagen", "imagen"),
    ("LayoutLM v3", "layoutlmv3"),
    ("VPT", "vpt"),
    ("Gato", "gato"),
    ("孟子", "mengzi"),
    ("盘古", "pangu-alpha"),
    ("Chinese CLIP", "chinese-clip"),
    ("Chinchilla", "chinchilla"),
    ("Llama 2", "llama-2"),
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('seed')) / 'store.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    engine = make_engine(url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.mark.parametrize(("name", "model_id"), SEED_NAMES)
def test_seed_name_resolves(conn: Connection, name: str, model_id: str) -> None:
    assert Q.resolve(conn, name) == model_id


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("llama2", "llama-2"),
        ("Llama 2", "llama-2"),
        ("LLaMa-2", "llama-2"),
        ("chatglm", "chatglm"),
        ("紫东", "zidong-taichu-2"),  # 紫东太初2.0 and 紫东太初 both begin with it: the newest first
        ("紫东太初", "zidong-taichu"),
        ("stabel diffusion", "stable-diffusion"),
        ("whsiper", "whisper"),
    ],
)
def test_search_the_bundled_catalog(conn: Connection, text: str, first: str) -> None:
    assert Q.search(conn, text)[0].id == first
