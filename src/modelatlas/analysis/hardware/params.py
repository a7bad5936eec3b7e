"""Exact parameter counts from a Hugging Face ``config.json``, without weights or PyTorch.

``count_parameters(config)`` picks the architecture from ``model_type`` (and the class named in
``architectures``), adds up every weight and bias the way that class builds them, and returns a
:class:`ParameterCount` with the total, the active parameters of a mixture of experts, a breakdown
by group and the shape the memory estimate needs (layers, KV heads, head size …).

An architecture it does not know gets an estimate from the generic sizes (``12·L·h² + V·h``),
labelled ``exact=False`` with a note saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from modelatlas.analysis.hardware import _decoders as D
from modelatlas.analysis.hardware import _encoders as E
from modelatlas.analysis.hardware._tally import Config, Tally
from modelatlas.analysis.hardware.wording import Note
from modelatlas.errors import ConfigError

__all__ = ["KNOWN", "ParameterCount", "Shape", "count_parameters", "estimate_from_total"]


@dataclass(frozen=True, slots=True)
class Shape:
    """What memory and speed estimates need beyond the count.

    ``kv_per_token`` is the number of cached values per token across all layers (keys and values,
    grouped-query aware; the compressed latent for multi-head latent attention); ``sliding`` maps a
    window length to the number of values per token in layers that only keep that many tokens.
    """

    layers: int
    hidden: int
    heads: int
    intermediate: int
    vocab: int
    gated: bool
    kv_per_token: int
    q_dim: int = 0
    kv_dim: int = 0
    max_context: int | None = None
    sliding: dict[int, int] = field(default_factory=dict)
    encoder_decoder: bool = False
    #: Positions the encoder always runs over, whatever the context (Whisper: 1,500 for 30 s of audio);
    #: each decoder layer's cross-attention caches keys and values for all of them.
    encoder_tokens: int = 0
    #: Cached values per sequence that do not grow with the context (Whisper's cross-attention cache).
    fixed_kv: int = 0


@dataclass(frozen=True, slots=True)
class ParameterCount:
    architecture: str
    model_class: str
    total: int
    active: int | None
    groups: dict[str, int]
    shape: Shape | None
    exact: bool
    note: Note | None = None

    @property
    def quantisable(self) -> int:
        """Weights of the Transformer blocks' linear layers: what int8/int4 formats quantise."""
        return self.groups.get("attention", 0) + self.groups.get("mlp", 0) + self.groups.get("experts", 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "architecture": self.architecture,
            "model_class": self.model_class,
            "parameters": self.total,
            "active_parameters": self.active,
            "exact": self.exact,
            "breakdown": {k: v for k, v in self.groups.items() if v},
            "note": str(self.note) if self.note else None,
        }


Counter = Callable[[str, str, Config, Tally], None]


def _causal(fn: Callable[..., None], *, kind_arg: bool = False) -> Counter:
    def run(kind: str, model_class: str, cfg: Config, t: Tally) -> None:
        head = not model_class.endswith("Model") or model_class.endswith("LMHeadModel")
        if kind_arg:
            fn(kind, cfg, t, head=head)
        else:
            fn(cfg, t, head=head)

    return run


def _encoder(fn: Callable[..., None], *, kind_arg: bool = False) -> Counter:
    def run(kind: str, model_class: str, cfg: Config, t: Tally) -> None:
        if kind_arg:
            fn(kind, model_class, cfg, t)
        else:
            fn(model_class, cfg, t)

    return run


_COUNTERS: dict[str, tuple[Counter, str]] = {
    **{
        k: (_causal(D.llama_like, kind_arg=True), c)
        for k, c in {
            "llama": "LlamaForCausalLM",
            "mistral": "MistralForCausalLM",
            "mixtral": "MixtralForCausalLM",
            "qwen2": "Qwen2ForCausalLM",
            "qwen2_moe": "Qwen2MoeForCausalLM",
            "qwen3": "Qwen3ForCausalLM",
            "qwen3_moe": "Qwen3MoeForCausalLM",
            "gemma": "GemmaForCausalLM",
            "gemma2": "Gemma2ForCausalLM",
            "gemma3_text": "Gemma3ForCausalLM",
            "glm": "GlmForCausalLM",
            "glm4": "Glm4ForCausalLM",
            "phi3": "Phi3ForCausalLM",
            "baichuan": "BaichuanForCausalLM",
            "internlm": "InternLMForCausalLM",
            "internlm2": "InternLM2ForCausalLM",
            "qwen": "QWenLMHeadModel",
        }.items()
    },
    "deepseek_v2": (_causal(D.deepseek, kind_arg=True), "DeepseekV2ForCausalLM"),
    "deepseek_v3": (_causal(D.deepseek, kind_arg=True), "DeepseekV3ForCausalLM"),
    "chatglm": (_causal(D.chatglm), "ChatGLMModel"),
    "gpt2": (_causal(D.gpt2), "GPT2LMHeadModel"),
    "gpt_neox": (_causal(D.neox), "GPTNeoXForCausalLM"),
    "gptj": (_causal(D.gptj), "GPTJForCausalLM"),
    "codegen": (_causal(D.gptj), "CodeGenForCausalLM"),
    "moss": (_causal(D.gptj), "MossForCausalLM"),
    "opt": (_causal(D.opt), "OPTForCausalLM"),
    "bloom": (_causal(D.bloom), "BloomForCausalLM"),
    "falcon": (_causal(D.falcon, kind_arg=True), "FalconForCausalLM"),
    "RefinedWebModel": (_causal(D.falcon, kind_arg=True), "RWForCausalLM"),
    "RefinedWeb": (_causal(D.falcon, kind_arg=True), "RWForCausalLM"),
    "phi": (_causal(D.phi), "PhiForCausalLM"),
    "bert": (_encoder(E.bert, kind_arg=True), "BertForMaskedLM"),
    "roberta": (_encoder(E.bert, kind_arg=True), "RobertaForMaskedLM"),
    "xlm-roberta": (_encoder(E.bert, kind_arg=True), "XLMRobertaForMaskedLM"),
    "t5": (_encoder(E.t5, kind_arg=True), "T5ForConditionalGeneration"),
    "mt5": (_encoder(E.t5, kind_arg=True), "MT5ForConditionalGeneration"),
    "umt5": (_encoder(E.t5, kind_arg=True), "UMT5ForConditionalGeneration"),
    "vit": (_encoder(E.vit), "ViTForImageClassification"),
    "clip": (_encoder(lambda _cls, cfg, t: E.clip(cfg, t)), "CLIPModel"),
    "clip_text_model": (_encoder(E.clip_text), "CLIPTextModel"),
    "whisper": (_encoder(E.whisper), "WhisperForConditionalGeneration"),
}

#: The ``model_type`` values counted exactly.
KNOWN = tuple(sorted(_COUNTERS))

_ENCODERS = {"bert", "roberta", "xlm-roberta", "vit", "clip", "clip_text_model"}
_ENCODER_DECODERS = {"t5", "mt5", "umt5", "whisper"}


def count_parameters(config: Mapping[str, Any], *, origin: str = "config.json") -> ParameterCount:
    """The parameters of the model ``config`` describes: exact for the architectures in :data:`KNOWN`.

    Raises:
        ConfigError: the config lacks a setting the count needs (a known architecture), or lacks
            even the sizes an estimate needs (an unknown one).
    """
    cfg = Config(config, origin)
    kind = str(cfg.get("model_type", default=""))
    if kind not in _COUNTERS:
        return _estimate(cfg, kind)
    counter, default_class = _COUNTERS[kind]
    architectures = cfg.get("architectures", default=[])
    model_class = str(architectures[0]) if architectures else default_class
    tally = Tally()
    counter(kind, model_class, cfg, tally)
    experts = tally.groups["experts"]
    return ParameterCount(
        architecture=kind,
        model_class=model_class,
        total=tally.total,
        active=tally.total - tally.inactive if experts else None,
        groups=dict(tally.groups),
        shape=_shape(kind, cfg),
        exact=True,
    )


def estimate_from_total(total: int, *, note: Note) -> ParameterCount:
    """A count known only as a stated total (a catalog figure): every parameter in the linear layers."""
    return ParameterCount(
        architecture="unknown",
        model_class="",
        total=total,
        active=None,
        groups={"mlp": total},
        shape=None,
        exact=False,
        note=note,
    )


def _estimate(cfg: Config, kind: str) -> ParameterCount:
    hidden = cfg.get("hidden_size", "n_embd", "d_model", "dim")
    layers = cfg.get("num_hidden_layers", "n_layer", "num_layers", "n_layers")
    if not isinstance(hidden, int) or not isinstance(layers, int):
        raise ConfigError(
            cfg.origin,
            "model_type",
            f"{kind or 'no model_type'} is not an architecture modelatlas counts "
            f"({', '.join(KNOWN)}), and the config has no hidden size and layer count to estimate from",
        )
    vocab = cfg.int("vocab_size", "padded_vocab_size", default=0)
    inner = cfg.int("intermediate_size", "ffn_hidden_size", "n_inner", "d_ff", default=4 * hidden)
    blocks = layers * (4 * hidden * hidden + 2 * hidden * inner)
    return ParameterCount(
        architecture=kind or "unknown",
        model_class="",
        total=blocks + vocab * hidden,
        active=None,
        groups={
            "attention": layers * 4 * hidden * hidden,
            "mlp": layers * 2 * hidden * inner,
            "embedding": vocab * hidden,
        },
        shape=Shape(
            layers,
            hidden,
            0,
            inner,
            vocab,
            gated=False,
            kv_per_token=2 * layers * hidden,
            q_dim=hidden,
            kv_dim=hidden,
        ),
        exact=False,
        note=Note("note_estimated_architecture", {"kind": kind or "?"}),
    )


def _shape(kind: str, cfg: Config) -> Shape:
    """The sizes behind the KV cache and activations; read with the same defaults as the count."""
    if kind in _ENCODERS:
        src = cfg.sub("text_config") if kind == "clip" else cfg
        hidden = src.int("hidden_size", default=768)
        return Shape(
            layers=src.int("num_hidden_layers", default=12),
            hidden=hidden,
            heads=src.int("num_attention_heads", default=12),
            intermediate=src.int("intermediate_size", default=4 * hidden),
            vocab=src.int("vocab_size", default=0),
            gated=False,
            kv_per_token=0,
            q_dim=hidden,
            kv_dim=hidden,
            max_context=src.get("max_position_embeddings"),
        )
    if kind in _ENCODER_DECODERS:
        if kind == "whisper":
            d, layers, heads = (
                cfg.int("d_model"),
                cfg.int("decoder_layers"),
                cfg.int("decoder_attention_heads"),
            )
            inner, ffn = d, cfg.int("decoder_ffn_dim")
            # the audio is padded to 30 s: the encoder always yields max_source_positions (1,500) frames,
            # which every decoder layer's cross-attention caches; the decoder's own cache grows with its
            # tokens, at most max_target_positions (448)
            frames = cfg.int("max_source_positions", default=1500)
            return Shape(
                layers,
                d,
                heads,
                ffn,
                cfg.int("vocab_size"),
                gated=False,
                kv_per_token=2 * layers * inner,
                encoder_decoder=True,
                max_context=cfg.int("max_target_positions", default=448),
                encoder_tokens=frames,
                fixed_kv=2 * layers * inner * frames,
            )
        else:
            d, heads = cfg.int("d_model"), cfg.int("num_heads")
            layers = cfg.int("num_decoder_layers", default=cfg.int("num_layers"))
            inner, ffn = heads * cfg.int("d_kv"), cfg.int("d_ff")
        # self-attention and cross-attention caches, both as long as the context; Whisper's decoder takes
        # 448 tokens, T5's trained length is its n_positions
        longest = cfg.get("max_target_positions", "n_positions", "max_position_embeddings")
        return Shape(
            layers,
            d,
            heads,
            ffn,
            cfg.int("vocab_size"),
            gated=False,
            kv_per_token=4 * layers * inner,
            encoder_decoder=True,
            max_context=longest if isinstance(longest, int) and not isinstance(longest, bool) else None,
        )

    hidden = cfg.int("n_embed", "hidden_size", "n_embd")
    layers = cfg.int("num_layers", "num_hidden_layers", "n_layer")
    heads = cfg.int("num_attention_heads", "n_head")
    head_dim = cfg.int("head_dim", "kv_channels", default=hidden // heads)
    kv_heads = cfg.int("num_key_value_heads", default=heads)
    if kind == "chatglm" and cfg.flag("multi_query_attention", default=False):
        kv_heads = cfg.int("multi_query_group_num", default=1)
    if kind in ("falcon", "RefinedWebModel", "RefinedWeb"):
        head_dim = hidden // heads
        if kind == "RefinedWeb" or cfg.flag("new_decoder_architecture", default=False):
            kv_heads = cfg.int("num_kv_heads", "n_head_kv", default=heads)
        elif cfg.flag("multi_query", default=True):
            kv_heads = 1
    per_layer = 2 * kv_heads * head_dim
    if kind.startswith("deepseek"):
        per_layer = cfg.int("kv_lora_rank", default=512) + cfg.int("qk_rope_head_dim", default=64)
    inner = cfg.int(
        "moe_intermediate_size" if kind.startswith("deepseek") else "intermediate_size",
        "ffn_hidden_size",
        "inner_hidden_size",
        "n_inner",
        "ffn_dim",
        default=4 * hidden,
    )
    if kind == "qwen":
        inner //= 2
    sliding: dict[int, int] = {}
    layer_types = cfg.get("layer_types", default=[])
    window = cfg.get("sliding_window")
    full_layers = layers
    if isinstance(window, int) and isinstance(layer_types, list) and "sliding_attention" in layer_types:
        slid = sum(1 for t in layer_types if t == "sliding_attention")
        sliding[window] = slid * per_layer
        full_layers = layers - slid
    gated = kind not in (
        "gpt2",
        "gpt_neox",
        "gptj",
        "codegen",
        "moss",
        "opt",
        "bloom",
        "falcon",
        "phi",
    ) and not (kind == "chatglm" and not cfg.has("padded_vocab_size"))
    vocab = cfg.int("padded_vocab_size", "vocab_size")
    longest = cfg.get("max_position_embeddings", "n_positions", "seq_length", "max_sequence_length")
    return Shape(
        layers,
        hidden,
        heads,
        inner,
        vocab,
        gated=gated,
        kv_per_token=full_layers * per_layer,
        sliding=sliding,
        max_context=longest if isinstance(longest, int) and not isinstance(longest, bool) else None,
    )
