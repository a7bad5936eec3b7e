"""analysis/hardware memory, precision and speed: the arithmetic, and the stated figures it must meet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelatlas.analysis.hardware import ParameterCount, count_parameters, estimate_from_total
from modelatlas.analysis.hardware.gpus import load_gpu_table
from modelatlas.analysis.hardware.memory import (
    MAX_CONTEXT,
    OVERHEAD_PER_GPU,
    Workload,
    inference,
    kv_bits,
    kv_cache_bytes,
    largest_context,
    lora_parameters,
    parse_context,
    training,
)
from modelatlas.analysis.hardware.precision import PRECISIONS, get_precision, weight_bytes
from modelatlas.analysis.hardware.speed import bytes_per_token, first_token_seconds, prefill_flops
from modelatlas.errors import BadArgument

CATALOG = Path(__file__).parents[1] / "catalog"
CONFIGS = CATALOG / "configs"
GiB = 1024**3


def _count(repo: str) -> ParameterCount:
    owner, name = repo.split("/")
    return count_parameters(json.loads((CONFIGS / owner / f"{name}.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def llama7b() -> ParameterCount:
    return _count("meta-llama/Llama-2-7b-hf")


def test_float_formats_store_every_parameter(llama7b: ParameterCount) -> None:
    assert weight_bytes(llama7b, PRECISIONS["fp32"]) == 4 * llama7b.total
    assert weight_bytes(llama7b, PRECISIONS["fp16"]) == 2 * llama7b.total


def test_block_formats_keep_embeddings_and_head_in_16_bits(llama7b: ParameterCount) -> None:
    rest = llama7b.total - llama7b.quantisable
    assert rest == 2 * 32000 * 4096 + (2 * 32 + 1) * 4096  # embedding, lm_head, norms
    assert weight_bytes(llama7b, PRECISIONS["int8"]) == llama7b.quantisable + 2 * rest
    assert weight_bytes(llama7b, PRECISIONS["nf4"]) == round(llama7b.quantisable * 4.5 / 8) + 2 * rest


def test_gguf_quantises_embeddings_too(llama7b: ParameterCount) -> None:
    q8 = weight_bytes(llama7b, PRECISIONS["q8_0"])
    norms = llama7b.groups["norm"]
    assert q8 == round(((llama7b.total - norms) * 8.5 + norms * 32) / 8)
    # llama.cpp's table gives 4.84 bpw for Llama 2 7B Q4_K_M: about 3.8 GiB on disk
    assert 3.7 * GiB < weight_bytes(llama7b, PRECISIONS["q4_k_m"]) < 3.9 * GiB


def test_precision_names_are_forgiving_and_unknown_ones_rejected() -> None:
    assert get_precision("Q4_K_M").name == "q4_k_m"
    assert get_precision("float16").name == "fp16"
    with pytest.raises(BadArgument, match="'int3' is not one of fp32"):
        get_precision("int3")


def test_kv_cache_is_layers_times_keys_and_values(llama7b: ParameterCount) -> None:
    assert llama7b.shape is not None
    # 32 layers × (K + V) × 4096 × 4096 tokens × 2 bytes = 2 GiB
    assert kv_cache_bytes(llama7b.shape, Workload(context=4096)) == 2 * GiB
    assert kv_cache_bytes(llama7b.shape, Workload(context=4096, batch=3)) == 6 * GiB


def test_kv_cache_knows_grouped_and_multi_query_attention() -> None:
    mixtral = _count("mistralai/Mixtral-8x7B-v0.1")  # 8 KV heads of 128
    chatglm2 = _count("THUDM/chatglm2-6b")  # 2 query groups of 128
    assert mixtral.shape is not None and chatglm2.shape is not None
    assert kv_cache_bytes(mixtral.shape, Workload(context=4096)) == 32 * 2 * 8 * 128 * 4096 * 2
    assert kv_cache_bytes(chatglm2.shape, Workload(context=1000)) == 28 * 2 * 2 * 128 * 1000 * 2


def test_sliding_window_layers_cache_only_their_window() -> None:
    from transformers import CONFIG_MAPPING

    config = CONFIG_MAPPING["gemma2"]().to_dict() | {"model_type": "gemma2"}
    shape = count_parameters(config).shape
    assert shape is not None and shape.sliding
    short, long = kv_cache_bytes(shape, Workload(context=4096)), kv_cache_bytes(shape, Workload(context=8192))
    window = config["sliding_window"]
    per_layer = 2 * config["num_key_value_heads"] * config["head_dim"] * 2
    full_layers = config["layer_types"].count("full_attention")
    sliding_layers = config["layer_types"].count("sliding_attention")
    assert long == full_layers * per_layer * 8192 + sliding_layers * per_layer * window
    assert long - short == full_layers * per_layer * 4096


def test_encoder_only_models_have_no_kv_cache() -> None:
    bert = _count("google-bert/bert-base-uncased")
    assert bert.shape is not None and bert.shape.kv_per_token == 0


def test_inference_total_is_the_sum_of_its_parts(llama7b: ParameterCount) -> None:
    work = Workload(context=2048, batch=2, gpus=2)
    estimate = inference(llama7b, PRECISIONS["fp16"], work)
    assert set(estimate.parts) == {"weights", "kv_cache", "activations", "overhead"}
    assert estimate.total == sum(estimate.parts.values())
    assert estimate.per_gpu == -(-estimate.total // 2)
    assert estimate.parts["overhead"] > 2 * OVERHEAD_PER_GPU


def test_model_without_config_gets_weights_only() -> None:
    count = estimate_from_total(7_000_000_000, note="estimate: stated")
    estimate = inference(count, PRECISIONS["fp16"], Workload())
    assert estimate.parts == {"weights": 14_000_000_000, "overhead": 700_000_000 + 2**29}
    assert "KV cache and activations unknown, so the total is a lower bound" in str(estimate.notes[0])


def test_workload_rejects_nonsense() -> None:
    with pytest.raises(BadArgument, match="--context must be at least 1"):
        Workload(context=0)


def test_full_fine_tuning_costs_16_bytes_per_parameter_plus_activations(llama7b: ParameterCount) -> None:
    work = Workload(context=2048)
    plain = training(llama7b, "full", work, checkpointing=False)
    states = plain.parts["weights"] + plain.parts["gradients"] + plain.parts["optimizer"]
    assert states == 16 * llama7b.total
    checkpointed = training(llama7b, "full", work, checkpointing=True)
    assert checkpointed.parts["activations"] < plain.parts["activations"] / 5
    # Korthikanti et al.: 34·s·b·h per layer for a 4h MLP; Llama's SwiGLU (11008 = 2.69h) costs more
    sbh = 2048 * 4096
    per_layer = round(sbh * (18 + 8 * 11008 / 4096))
    assert plain.parts["activations"] == 32 * per_layer + 2048 * 32000 * 10


def test_lora_and_qlora_are_cheaper_than_full(llama7b: ParameterCount) -> None:
    work = Workload(context=2048)
    full, lora, qlora = (training(llama7b, m, work, checkpointing=True) for m in ("full", "lora", "qlora"))
    assert qlora.total < lora.total < full.total
    assert llama7b.shape is not None
    adapters = lora_parameters(llama7b.shape, 16)
    # rank 16 on q, k, v, o, gate, up, down of 32 layers: 39,976,960 (0.59 % of the model)
    assert adapters == 16 * 32 * (4 * (4096 + 4096) + 3 * (4096 + 11008)) == 39_976_960
    assert lora.parts["lora"] + lora.parts["gradients"] + lora.parts["optimizer"] == 16 * adapters


def test_training_needs_a_shape() -> None:
    with pytest.raises(BadArgument, match="needs the model's config.json"):
        training(estimate_from_total(10**9, note="x"), "lora", Workload(), checkpointing=True)


def test_moe_decoding_reads_only_active_experts() -> None:
    mixtral = _count("mistralai/Mixtral-8x7B-v0.1")
    assert mixtral.active is not None
    read = bytes_per_token(mixtral, PRECISIONS["fp16"], Workload(context=1))
    kv = 32 * 2 * 8 * 128 * 2
    assert read - kv == 2 * mixtral.total - round(
        2 * mixtral.total * (mixtral.total - mixtral.active) / mixtral.total
    )


# Figures the model makers state, and how close the estimate must come (the closing note of issue 4
# tabulates them all). ChatGLM-6B README 硬件需求: FP16 13 GB, INT8 8 GB, INT4 6 GB (context 2048).
@pytest.mark.parametrize(("precision", "stated_gb"), [("fp16", 13), ("int8", 8), ("int4", 6)])
def test_chatglm_6b_within_15_percent_of_its_readme(precision: str, stated_gb: float) -> None:
    count = _count("THUDM/chatglm-6b")
    ours = inference(count, PRECISIONS[precision], Workload(context=2048)).total / GiB
    assert abs(ours - stated_gb) / stated_gb < 0.15


@pytest.mark.parametrize(("kv_bits", "batch"), [(None, 1), (8, 1), (4, 4)])
def test_the_largest_context_is_the_last_that_fits(
    llama7b: ParameterCount, kv_bits: int | None, batch: int
) -> None:
    """Issue 20: the bisection stops exactly at the edge: one token more no longer fits."""
    memory = 12 * 2**30
    work = Workload(batch=batch, kv_bits=kv_bits)
    longest = largest_context(llama7b, PRECISIONS["int4"], work, memory)
    assert longest is not None and 1 < longest < MAX_CONTEXT
    at = inference(llama7b, PRECISIONS["int4"], Workload(context=longest, batch=batch, kv_bits=kv_bits))
    beyond = inference(
        llama7b, PRECISIONS["int4"], Workload(context=longest + 1, batch=batch, kv_bits=kv_bits)
    )
    assert at.per_gpu <= memory < beyond.per_gpu
    assert largest_context(llama7b, PRECISIONS["int4"], work, memory, limit=4096) == min(longest, 4096)


def test_the_largest_context_when_nothing_or_everything_fits(llama7b: ParameterCount) -> None:
    assert largest_context(llama7b, PRECISIONS["fp16"], Workload(), 2**30) == 0
    assert largest_context(llama7b, PRECISIONS["int4"], Workload(), 2**50) == MAX_CONTEXT
    stated = estimate_from_total(7_000_000_000, note="stated")
    assert largest_context(stated, PRECISIONS["int4"], Workload(), 2**40) is None


@pytest.mark.parametrize(
    ("typed", "tokens"),
    [("8192", 8192), ("8k", 8192), ("32K", 32768), ("128k", 131072), (" 1m ", 1048576), ("1.5k", 1536)],
)
def test_contexts_as_people_type_them(typed: str, tokens: int) -> None:
    assert parse_context(typed) == tokens


@pytest.mark.parametrize("typed", ["0", "9q", "k", "", "10m", "-5"])
def test_contexts_that_are_not(typed: str) -> None:
    with pytest.raises(BadArgument, match="is not a number of tokens from 1 to 10,000,000"):
        parse_context(typed)


def test_kv_formats() -> None:
    assert [kv_bits(n) for n in ("FP16", "bf16", "fp8", "int8", "q8_0", "q4_0", "int4")] == [
        16,
        16,
        8,
        8,
        8,
        4,
        4,
    ]
    with pytest.raises(BadArgument, match="--kv 'fp4' is not one of fp16"):
        kv_bits("fp4")
    with pytest.raises(BadArgument, match="KV cache of 3 bits"):
        Workload(kv_bits=3)


def test_prefill_flops_and_the_first_token(llama7b: ParameterCount) -> None:
    """Issue 20: time to first token from the prompt's FLOPs and the card's FP16 peak; unknown stays None."""
    work = Workload(context=4096, batch=2)
    weights = llama7b.total - llama7b.groups["embedding"] - llama7b.groups["head"]
    attention = 2 * 32 * 4096**2 * 4096  # layers × context² × q_dim, per sequence
    assert prefill_flops(llama7b, work) == 2 * weights * 4096 * 2 + attention * 2
    card = load_gpu_table(CATALOG).find("RTX 4090")
    assert card.fp16_tflops == 330.3
    seconds = first_token_seconds(llama7b, work, card)
    assert seconds == pytest.approx(prefill_flops(llama7b, work) / 330.3e12)
    assert first_token_seconds(llama7b, Workload(context=4096, batch=2, gpus=2), card) == pytest.approx(
        seconds / 2
    )
    assert first_token_seconds(llama7b, work, card.model_copy(update={"fp16_tflops": None})) is None
    stated = estimate_from_total(7_000_000_000, note="stated")
    assert prefill_flops(stated, work) == 0 and first_token_seconds(stated, work, card) is None


def test_whisper_decoder_context_is_448_and_its_encoder_always_1500_frames() -> None:
    """Whisper pads audio to 30 s, so its encoder always yields max_source_positions (1,500) frames:
    the cross-attention cache and the encoder's activations are that long whatever the decoder's
    context, which is at most max_target_positions (448)."""
    count = _count("openai/whisper-large-v2")
    shape = count.shape
    assert shape is not None and shape.encoder_decoder
    assert (shape.max_context, shape.encoder_tokens) == (448, 1500)
    assert shape.kv_per_token == 2 * 32 * 1280  # the decoder's self-attention, per token
    assert shape.fixed_kv == 2 * 32 * 1280 * 1500  # cross-attention over the encoder's frames
    row = inference(count, PRECISIONS["fp16"], Workload(context=448))
    assert row.parts == {
        "weights": 3_086_609_920,
        "kv_cache": 2 * 32 * 1280 * (448 + 1500) * 2,
        "activations": 1500 * (4 * 1280 + 5120) * 2 + 51865 * 4,
        "overhead": 708_705_797,
    }
    assert row.parts["kv_cache"] == 319_160_320 and row.parts["activations"] == 30_927_460
    assert "at most 448 tokens" in str(row.notes[0]) and "1,500 positions" in str(row.notes[0])
    # a shorter transcript caches less self-attention, never less cross-attention
    short = inference(count, PRECISIONS["fp16"], Workload(context=10))
    assert short.parts["kv_cache"] == 2 * 32 * 1280 * (10 + 1500) * 2
    assert short.parts["activations"] == row.parts["activations"]


def test_decoder_only_and_t5_results_do_not_change_with_whisper() -> None:
    """The encoder's fixed length is Whisper's alone: a decoder's and T5's rows carry no note and the
    same arithmetic as before."""
    llama = _count("meta-llama/Llama-2-7b-hf")
    assert llama.shape is not None and (llama.shape.encoder_tokens, llama.shape.fixed_kv) == (0, 0)
    row = inference(llama, PRECISIONS["fp16"], Workload(context=4096))
    assert row.notes == []
    assert row.parts["kv_cache"] == 32 * 2 * 4096 * 4096 * 2 == 2 * GiB
    assert row.parts["activations"] == 4096 * (4 * 4096 + 2 * 11008) * 2 + 32000 * 4
    t5 = _count("google/flan-t5-base")
    assert t5.shape is not None and (t5.shape.encoder_tokens, t5.shape.fixed_kv) == (0, 0)
    assert t5.shape.kv_per_token == 4 * 12 * 768
