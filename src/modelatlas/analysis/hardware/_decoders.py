"""Exact parameter counts of decoder-only language models, one function per architecture family.

Each function mirrors the modules of the transformers class (or, for remote-code checkpoints, of
the checkpoint's own modeling file) and reads missing settings with that config class's defaults.
``head`` says whether the class has an output layer (``…ForCausalLM``) or not (``…Model``).
"""

from __future__ import annotations

from modelatlas.analysis.hardware._tally import Config, Tally

__all__ = [
    "chatglm",
    "deepseek",
    "falcon",
    "gpt2",
    "gptj",
    "llama_like",
    "neox",
    "opt",
    "phi",
    "bloom",
]


def _attention(
    t: Tally,
    hidden: int,
    heads: int,
    kv_heads: int,
    head_dim: int,
    *,
    qkv_bias: bool,
    o_bias: bool,
    times: int,
) -> None:
    t.linear("attention", hidden, (heads + 2 * kv_heads) * head_dim, bias=qkv_bias, times=times)
    t.linear("attention", heads * head_dim, hidden, bias=o_bias, times=times)


def _gated_mlp(t: Tally, group: str, hidden: int, inner: int, *, bias: bool, times: int = 1) -> None:
    """A SwiGLU/GeGLU MLP: gate and up projections to ``inner``, down back to ``hidden``."""
    t.linear(group, hidden, 2 * inner, bias=bias, times=times)
    t.linear(group, inner, hidden, bias=bias, times=times)


def _mlp(t: Tally, hidden: int, inner: int, *, bias: bool, times: int) -> None:
    t.linear("mlp", hidden, inner, bias=bias, times=times)
    t.linear("mlp", inner, hidden, bias=bias, times=times)


def _embed_and_head(
    t: Tally, vocab: int, hidden: int, *, head: bool, tied: bool, head_bias: bool = False
) -> None:
    t.add("embedding", vocab * hidden)
    if head and not tied:
        t.linear("head", hidden, vocab, bias=head_bias)
    elif head and head_bias:
        t.add("head", vocab)


#: The llama-style families: (q/k/v bias, o bias, norms per layer, q/k norm, tied by default).
_LLAMA_LIKE: dict[str, tuple[bool | None, bool | None, int, bool, bool]] = {
    "llama": (None, None, 2, False, False),  # None: read attention_bias
    "mistral": (False, False, 2, False, False),
    "mixtral": (False, False, 2, False, False),
    "qwen2": (True, False, 2, False, False),
    "qwen2_moe": (None, False, 2, False, False),  # qkv_bias
    "qwen3": (None, None, 2, True, False),
    "qwen3_moe": (None, None, 2, True, False),
    "gemma": (None, None, 2, False, True),
    "gemma2": (None, None, 4, False, True),
    "gemma3_text": (None, None, 4, True, True),
    "glm": (None, False, 2, False, False),  # attention_bias defaults to True
    "glm4": (None, False, 4, False, False),
    "phi3": (False, False, 2, False, False),
    "baichuan": (False, False, 2, False, False),
    "internlm": (None, None, 2, False, False),  # "bias", default True
    "internlm2": (None, None, 2, False, False),  # "bias", default False
    "qwen": (True, False, 2, False, False),  # Qwen v1 (remote code)
}


def _qkv_bias(kind: str, cfg: Config) -> tuple[bool, bool]:
    qkv, out, *_ = _LLAMA_LIKE[kind]
    if kind in ("internlm", "internlm2"):
        bias = cfg.flag("bias", default=kind == "internlm")
        return bias, bias
    if kind == "qwen2_moe":
        return cfg.flag("qkv_bias", default=True), False
    default = kind == "glm"
    attention_bias = cfg.flag("attention_bias", default=default)
    return (attention_bias if qkv is None else qkv), (attention_bias if out is None else out)


def llama_like(kind: str, cfg: Config, t: Tally, *, head: bool) -> None:
    """Llama and its kin: RMSNorm, rotary, SwiGLU, optional grouped-query attention and MoE layers."""
    hidden = cfg.int("hidden_size", "n_embd")
    layers = cfg.int("num_hidden_layers", "n_layer")
    heads = cfg.int("num_attention_heads", "n_head")
    kv_heads = cfg.int("num_key_value_heads", default=heads)
    head_dim = cfg.int("head_dim", "kv_channels", default=hidden // heads)
    vocab = cfg.int("padded_vocab_size", "vocab_size") if kind == "qwen" else cfg.int("vocab_size")
    inner = cfg.int("intermediate_size", "ffn_hidden_size")
    if kind == "qwen":
        inner //= 2  # Qwen v1's ffn_hidden_size counts both halves of the SwiGLU
    _, _, norms, qk_norm, tied_default = _LLAMA_LIKE[kind]
    qkv_bias, o_bias = _qkv_bias(kind, cfg)

    _attention(t, hidden, heads, kv_heads, head_dim, qkv_bias=qkv_bias, o_bias=o_bias, times=layers)
    t.norm(hidden, bias=False, times=norms * layers)
    if qk_norm:
        t.norm(head_dim, bias=False, times=2 * layers)
    mlp_bias = kind == "llama" and cfg.flag("mlp_bias", default=False)
    for layer in range(layers):
        _llama_mlp(kind, cfg, t, layer, hidden, inner, bias=mlp_bias)
    t.norm(hidden, bias=False)
    _embed_and_head(t, vocab, hidden, head=head, tied=cfg.flag("tie_word_embeddings", default=tied_default))


def _llama_mlp(kind: str, cfg: Config, t: Tally, layer: int, hidden: int, inner: int, *, bias: bool) -> None:
    if kind == "mixtral":
        experts = cfg.int("num_local_experts", default=8)
        t.linear("other", hidden, experts, bias=False)  # router
        per = 3 * hidden * inner
        t.experts(per, experts=experts, active=cfg.int("num_experts_per_tok", default=2))
        return
    if kind in ("qwen2_moe", "qwen3_moe"):
        experts = cfg.int("num_experts", default=60 if kind == "qwen2_moe" else 128)
        step = cfg.int("decoder_sparse_step", default=1)
        dense_only = set(cfg.get("mlp_only_layers", default=[]))
        if experts > 0 and layer not in dense_only and (layer + 1) % step == 0:
            moe_inner = cfg.int("moe_intermediate_size")
            t.linear("other", hidden, experts, bias=False)  # router
            t.experts(3 * hidden * moe_inner, experts=experts, active=cfg.int("num_experts_per_tok"))
            if kind == "qwen2_moe":
                _gated_mlp(t, "mlp", hidden, cfg.int("shared_expert_intermediate_size"), bias=False)
                t.linear("other", hidden, 1, bias=False)  # shared-expert gate
            return
    _gated_mlp(t, "mlp", hidden, inner, bias=bias)


def deepseek(kind: str, cfg: Config, t: Tally, *, head: bool) -> None:
    """DeepSeek-V2/V3: multi-head latent attention and fine-grained MoE after the first dense layers."""
    hidden = cfg.int("hidden_size")
    layers = cfg.int("num_hidden_layers")
    heads = cfg.int("num_attention_heads")
    bias = cfg.flag("attention_bias", default=False)
    q_rank = cfg.get("q_lora_rank")
    kv_rank = cfg.int("kv_lora_rank", default=512)
    rope_dim = cfg.int("qk_rope_head_dim", default=64)
    nope_dim = cfg.int("qk_nope_head_dim", default=128)
    v_dim = cfg.int("v_head_dim", default=128)
    q_dim = heads * (rope_dim + nope_dim)
    for _ in range(layers):
        if q_rank is None:
            t.linear("attention", hidden, q_dim, bias=False)
        else:
            t.linear("attention", hidden, int(q_rank), bias=bias)
            t.norm(int(q_rank), bias=False)
            t.linear("attention", int(q_rank), q_dim, bias=False)
        t.linear("attention", hidden, kv_rank + rope_dim, bias=bias)
        t.norm(kv_rank, bias=False)
        t.linear("attention", kv_rank, heads * (nope_dim + v_dim), bias=False)
        t.linear("attention", heads * v_dim, hidden, bias=bias)
    t.norm(hidden, bias=False, times=2 * layers)
    dense_layers = cfg.int("first_k_dense_replace", default=3 if kind == "deepseek_v3" else 0)
    frequency = cfg.int("moe_layer_freq", default=1)
    moe_inner = cfg.int("moe_intermediate_size")
    routed = cfg.int("n_routed_experts")
    for layer in range(layers):
        if layer >= dense_layers and layer % frequency == 0:
            t.linear("other", hidden, routed, bias=False)  # router
            t.experts(
                3 * hidden * moe_inner, experts=routed, active=cfg.int("num_experts_per_tok", default=routed)
            )
            shared = cfg.int("n_shared_experts", default=1)
            if shared:
                _gated_mlp(t, "mlp", hidden, moe_inner * shared, bias=False)
        else:
            _gated_mlp(t, "mlp", hidden, cfg.int("intermediate_size"), bias=False)
    t.norm(hidden, bias=False)
    _embed_and_head(
        t, cfg.int("vocab_size"), hidden, head=head, tied=cfg.flag("tie_word_embeddings", default=False)
    )


def chatglm(cfg: Config, t: Tally, *, head: bool) -> None:
    """ChatGLM-6B (GLM v1) and ChatGLM2/3 (remote code); both name their class ``ChatGLMModel``.

    GLM v1 computes logits with the word embeddings (tied unless the config unties them); v2 and v3
    keep a separate ``output_layer`` inside ``ChatGLMModel`` itself, so ``head`` does not apply.
    """
    hidden = cfg.int("hidden_size")
    layers = cfg.int("num_layers", "num_hidden_layers")
    heads = cfg.int("num_attention_heads")
    if not cfg.has("padded_vocab_size"):  # GLM v1
        inner = cfg.int("inner_hidden_size", default=4 * hidden)
        _attention(t, hidden, heads, heads, hidden // heads, qkv_bias=True, o_bias=True, times=layers)
        _mlp(t, hidden, inner, bias=True, times=layers)
        t.norm(hidden, bias=True, times=2 * layers + 1)
        _embed_and_head(
            t, cfg.int("vocab_size"), hidden, head=True, tied=cfg.flag("tie_word_embeddings", default=True)
        )
        return
    head_dim = cfg.int("kv_channels", default=hidden // heads)
    groups = (
        cfg.int("multi_query_group_num", default=1)
        if cfg.flag("multi_query_attention", default=False)
        else heads
    )
    linear_bias = cfg.flag("add_bias_linear", default=False)
    qkv_bias = linear_bias or cfg.flag("add_qkv_bias", default=False)
    _attention(t, hidden, heads, groups, head_dim, qkv_bias=qkv_bias, o_bias=linear_bias, times=layers)
    _gated_mlp(t, "mlp", hidden, cfg.int("ffn_hidden_size"), bias=linear_bias, times=layers)
    rms = cfg.flag("rmsnorm", default=True)
    t.norm(hidden, bias=not rms, times=2 * layers + (1 if cfg.flag("post_layer_norm", default=True) else 0))
    _embed_and_head(t, cfg.int("padded_vocab_size"), hidden, head=True, tied=False)


def gpt2(cfg: Config, t: Tally, *, head: bool) -> None:
    hidden = cfg.int("n_embd", "hidden_size")
    layers = cfg.int("n_layer", "num_hidden_layers")
    inner = cfg.int("n_inner", default=4 * hidden)
    t.add("embedding", cfg.int("n_positions", "max_position_embeddings", default=1024) * hidden)
    t.linear("attention", hidden, 3 * hidden, bias=True, times=layers)
    t.linear("attention", hidden, hidden, bias=True, times=layers)
    _mlp(t, hidden, inner, bias=True, times=layers)
    t.norm(hidden, bias=True, times=2 * layers + 1)
    _embed_and_head(
        t, cfg.int("vocab_size"), hidden, head=head, tied=cfg.flag("tie_word_embeddings", default=True)
    )


def neox(cfg: Config, t: Tally, *, head: bool) -> None:
    hidden = cfg.int("hidden_size")
    layers = cfg.int("num_hidden_layers")
    bias = cfg.flag("attention_bias", default=True)
    t.linear("attention", hidden, 3 * hidden, bias=bias, times=layers)
    t.linear("attention", hidden, hidden, bias=bias, times=layers)
    _mlp(t, hidden, cfg.int("intermediate_size", default=4 * hidden), bias=True, times=layers)
    t.norm(hidden, bias=True, times=2 * layers + 1)
    _embed_and_head(
        t, cfg.int("vocab_size"), hidden, head=head, tied=cfg.flag("tie_word_embeddings", default=False)
    )


def gptj(cfg: Config, t: Tally, *, head: bool) -> None:
    """GPT-J and CodeGen (MOSS): no attention biases, MLP biases, an lm_head with a bias."""
    hidden = cfg.int("n_embd", "hidden_size")
    layers = cfg.int("n_layer", "num_hidden_layers")
    t.linear("attention", hidden, 4 * hidden, bias=False, times=layers)
    _mlp(t, hidden, cfg.int("n_inner", default=4 * hidden), bias=True, times=layers)
    t.norm(hidden, bias=True, times=layers + 1)
    tied = cfg.flag("tie_word_embeddings", default=False)
    _embed_and_head(t, cfg.int("vocab_size"), hidden, head=head, tied=tied, head_bias=True)


def opt(cfg: Config, t: Tally, *, head: bool) -> None:
    """OPT and Galactica: learned positions (offset 2), optional projections around a narrower embedding."""
    hidden = cfg.int("hidden_size")
    layers = cfg.int("num_hidden_layers")
    proj = cfg.int("word_embed_proj_dim", default=hidden)
    bias = cfg.flag("enable_bias", default=True)
    affine = cfg.flag("layer_norm_elementwise_affine", default=True)
    t.add("embedding", (cfg.int("max_position_embeddings", default=2048) + 2) * hidden)
    if proj != hidden:
        t.linear("other", proj, hidden, bias=False)
        t.linear("other", hidden, proj, bias=False)
    norms = 2 * layers
    if cfg.flag("do_layer_norm_before", default=True) and not cfg.flag(
        "_remove_final_layer_norm", default=False
    ):
        norms += 1
    if affine:
        t.norm(hidden, bias=bias, times=norms)
    t.linear("attention", hidden, hidden, bias=bias, times=4 * layers)
    _mlp(t, hidden, cfg.int("ffn_dim", default=4 * hidden), bias=bias, times=layers)
    _embed_and_head(
        t, cfg.int("vocab_size"), proj, head=head, tied=cfg.flag("tie_word_embeddings", default=True)
    )


def bloom(cfg: Config, t: Tally, *, head: bool) -> None:
    hidden = cfg.int("n_embed", "hidden_size")
    layers = cfg.int("n_layer", "num_hidden_layers")
    t.linear("attention", hidden, 3 * hidden, bias=True, times=layers)
    t.linear("attention", hidden, hidden, bias=True, times=layers)
    _mlp(t, hidden, 4 * hidden, bias=True, times=layers)
    t.norm(hidden, bias=True, times=2 * layers + 2)  # + the embedding LayerNorm and ln_f
    _embed_and_head(
        t, cfg.int("vocab_size"), hidden, head=head, tied=cfg.flag("tie_word_embeddings", default=True)
    )


def falcon(kind: str, cfg: Config, t: Tally, *, head: bool) -> None:
    """Falcon, including checkpoints from before the rename (``RefinedWebModel`` 7B, ``RefinedWeb`` 40B)."""
    hidden = cfg.int("n_embed", "hidden_size")
    layers = cfg.int("num_hidden_layers", "n_layer")
    heads = cfg.int("num_attention_heads", "n_head")
    head_dim = hidden // heads
    new_arch = kind == "RefinedWeb" or cfg.flag("new_decoder_architecture", default=False)
    bias = cfg.flag("bias", default=False)
    if new_arch:
        kv_heads = cfg.int("num_kv_heads", "n_head_kv", default=heads)
        qkv = (heads + 2 * kv_heads) * head_dim
        layer_norms = cfg.int("num_ln_in_parallel_attn", default=2)
        layer_norms = 2 if layer_norms == 2 else 1
    else:
        qkv = hidden + 2 * head_dim if cfg.flag("multi_query", default=True) else 3 * hidden
        layer_norms = 1 if cfg.flag("parallel_attn", default=True) else 2
    t.linear("attention", hidden, qkv, bias=bias, times=layers)
    t.linear("attention", hidden, hidden, bias=bias, times=layers)
    _mlp(t, hidden, cfg.int("ffn_hidden_size", default=4 * hidden), bias=bias, times=layers)
    t.norm(hidden, bias=True, times=layer_norms * layers + 1)
    _embed_and_head(
        t, cfg.int("vocab_size"), hidden, head=head, tied=cfg.flag("tie_word_embeddings", default=True)
    )


def phi(cfg: Config, t: Tally, *, head: bool) -> None:
    """Phi-1, 1.5 and 2: one LayerNorm per layer (parallel attention and MLP), biases everywhere."""
    hidden = cfg.int("hidden_size")
    layers = cfg.int("num_hidden_layers")
    heads = cfg.int("num_attention_heads")
    kv_heads = cfg.int("num_key_value_heads", default=heads)
    head_dim = hidden // heads
    _attention(t, hidden, heads, kv_heads, head_dim, qkv_bias=True, o_bias=True, times=layers)
    if cfg.flag("qk_layernorm", default=False):
        t.norm(head_dim, bias=True, times=2 * layers)
    _mlp(t, hidden, cfg.int("intermediate_size", default=4 * hidden), bias=True, times=layers)
    t.norm(hidden, bias=True, times=layers + 1)
    tied = cfg.flag("tie_word_embeddings", default=False)
    _embed_and_head(t, cfg.int("vocab_size"), hidden, head=head, tied=tied, head_bias=True)
