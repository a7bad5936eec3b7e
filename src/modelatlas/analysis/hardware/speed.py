"""Decode speed, estimated: generating a token reads every active weight and the whole KV cache once.

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

__all__ = ["bytes_per_token", "decode_tokens_per_second"]


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
