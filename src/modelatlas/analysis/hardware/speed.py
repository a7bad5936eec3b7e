"""Speed, estimated: decoding reads every active weight and the KV cache per token; the first token waits
for the prompt's prefill, bound by the card's FP16 compute.

On a GPU, single-stream decoding is bound by memory bandwidth, so tokens/s ≈ bandwidth / bytes read
per step (times the batch, which shares the weight reads). This is an upper bound: real runs reach
a fraction of it, and a mixture of experts at batch > 1 reads more than the experts of one token.
Across ``gpus`` cards the bandwidth adds up, as with tensor parallelism.
"""

from __future__ import annotations

from modelatlas.analysis.hardware.memory import Workload, kv_cache_bytes
from modelatlas.analysis.hardware.params import ParameterCount
from modelatlas.analysis.hardware.precision import Precision, weight_bytes
from modelatlas.catalog.schema import Gpu

__all__ = ["bytes_per_token", "decode_tokens_per_second", "first_token_seconds", "prefill_flops"]


def bytes_per_token(count: ParameterCount, precision: Precision, work: Workload) -> int:
    """Bytes read from GPU memory for one decoding step of ``work.batch`` sequences."""
    weights = weight_bytes(count, precision)
    experts = count.groups.get("experts", 0)
    if experts and count.active is not None:
        inactive = count.total - count.active
        weights -= round(weights * inactive / count.total)
    kv = kv_cache_bytes(count.shape, work, bits=work.kv_bits or precision.kv_bits) if count.shape else 0
    return weights + kv


def decode_tokens_per_second(
    count: ParameterCount, precision: Precision, work: Workload, gpu: Gpu
) -> float | None:
    """Tokens per second over the batch, memory-bandwidth bound; None when the card's bandwidth is unknown."""
    if gpu.bandwidth_gbs is None:
        return None
    bandwidth = gpu.bandwidth_gbs * 1e9 * work.gpus
    return work.batch * bandwidth / bytes_per_token(count, precision, work)


def prefill_flops(count: ParameterCount, work: Workload) -> int:
    """Floating-point operations to read ``work``'s prompts: two per active weight per token (the embedding
    is a lookup, the output layer runs for the last token only), and causal attention's two products over
    the prompt, ``2 · context² · q_dim`` a layer."""
    if count.shape is None:
        return 0
    weights = (count.active or count.total) - count.groups.get("embedding", 0) - count.groups.get("head", 0)
    tokens = work.context * work.batch
    attention = 2 * count.shape.layers * work.context**2 * (count.shape.q_dim or count.shape.hidden)
    return 2 * weights * tokens + attention * work.batch


def first_token_seconds(count: ParameterCount, work: Workload, gpu: Gpu) -> float | None:
    """Seconds to prefill ``work``'s prompts at the card's peak dense FP16 rate (``fp16_tflops``; over
    ``work.gpus`` cards, as tensor parallelism splits it): a lower bound, since a prefill reaches perhaps
    half the peak, and GeForce cards run FP16 with FP32 accumulation at half of it. None when the card's
    rate or the model's shape is unknown."""
    if gpu.fp16_tflops is None or count.shape is None:
        return None
    return prefill_flops(count, work) / (gpu.fp16_tflops * 1e12 * work.gpus)
