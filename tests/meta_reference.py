"""The ground truth for parameter counts: build the model on PyTorch's meta device and count.

Test-only (torch and transformers are dev dependencies, never imported by modelatlas itself).
``meta_count(config)`` instantiates the class the config names in ``architectures`` with
transformers 5.x under ``torch.device("meta")`` (no memory, no weights) and sums ``numel`` over
``model.parameters()``, which counts a tied embedding once.

A few checkpoints ship their own modeling code (``trust_remote_code``), which cannot be fetched
here. For those, ``equivalent(config)`` rewrites the config as the transformers architecture whose
modules have the same parameter shapes, and says why in ``EQUIVALENCES``:

- ChatGLM-6B (GLM v1)   → GPT-NeoX: fused QKV and dense with biases, LayerNorms with biases,
  a 4h GELU MLP with biases, a final LayerNorm; GLM computes logits with the word-embedding
  matrix, and the checkpoint's config does not untie it (PretrainedConfig default: tied).
- ChatGLM2/3-6B         → GLM (the GLM-4 port): RMSNorm, grouped QKV with bias, no other biases,
  SwiGLU MLP, untied output layer.
- Qwen (v1)             → Qwen2: QKV bias, no other biases, SwiGLU with ffn_hidden_size / 2,
  untied lm_head.
- Baichuan / Baichuan2  → Llama (W_pack is q, k, v fused; NormHead has the lm_head's shape).
- InternLM (v1)         → Llama with attention_bias (bias on q, k, v and o).
- InternLM2             → Llama with grouped-query attention (wqkv fused, no biases).
- MOSS (moss-moon-003)  → CodeGen (the same modules: fused qkv_proj, lm_head with bias).
- Falcon before the rename (RefinedWebModel / RefinedWeb) → Falcon with the same flags.

One deliberate difference: transformers 5 forces ``tie_word_embeddings=True`` for T5, mT5 and umT5
(huggingface/transformers#42815 reads the flag as "scale the decoder outputs"), but T5 v1.1, Flan-T5
and mT5 checkpoints set it to false and store a separate ``lm_head.weight`` (T5 v1.1 release notes:
"no parameter sharing between embedding and classifier layer"). The published count includes that
head, so ``meta_count`` adds ``vocab_size × d_model`` for those configs.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

EQUIVALENCES = {
    "chatglm-v1": "gpt_neox",
    "chatglm": "glm",
    "qwen": "qwen2",
    "baichuan": "llama",
    "internlm": "llama",
    "internlm2": "llama",
    "moss": "codegen",
    "RefinedWebModel": "falcon",
    "RefinedWeb": "falcon",
}

_DEFAULT_CLASS = {
    "gpt_neox": "GPTNeoXForCausalLM",
    "glm": "GlmForCausalLM",
    "qwen2": "Qwen2ForCausalLM",
    "llama": "LlamaForCausalLM",
    "codegen": "CodeGenForCausalLM",
    "falcon": "FalconForCausalLM",
}


def equivalent(config: dict[str, Any]) -> dict[str, Any]:
    """The config rewritten for a transformers architecture with the same parameter shapes."""
    cfg = copy.deepcopy(config)
    kind = cfg.get("model_type")
    if kind == "chatglm" and "padded_vocab_size" not in cfg:
        h = cfg["hidden_size"]
        return {
            "model_type": "gpt_neox",
            "architectures": ["GPTNeoXForCausalLM"],
            "vocab_size": cfg["vocab_size"],
            "hidden_size": h,
            "num_hidden_layers": cfg["num_layers"],
            "num_attention_heads": cfg["num_attention_heads"],
            "intermediate_size": cfg.get("inner_hidden_size", 4 * h),
            "attention_bias": True,
            "tie_word_embeddings": cfg.get("tie_word_embeddings", True),
        }
    if kind == "chatglm":
        heads, kv_channels = cfg["num_attention_heads"], cfg.get("kv_channels", 128)
        groups = cfg["multi_query_group_num"] if cfg.get("multi_query_attention") else heads
        return {
            "model_type": "glm",
            "architectures": ["GlmForCausalLM"],
            "vocab_size": cfg["padded_vocab_size"],
            "hidden_size": cfg["hidden_size"],
            "num_hidden_layers": cfg["num_layers"],
            "num_attention_heads": heads,
            "num_key_value_heads": groups,
            "head_dim": kv_channels,
            "intermediate_size": cfg["ffn_hidden_size"],
            "attention_bias": bool(cfg.get("add_qkv_bias") or cfg.get("add_bias_linear")),
            "tie_word_embeddings": False,
            "pad_token_id": cfg.get("pad_token_id", 0),
        }
    if kind == "qwen":
        return {
            "model_type": "qwen2",
            "architectures": ["Qwen2ForCausalLM"],
            "vocab_size": cfg.get("padded_vocab_size", cfg["vocab_size"]),
            "hidden_size": cfg["n_embd"] if "n_embd" in cfg else cfg["hidden_size"],
            "num_hidden_layers": cfg["n_layer"] if "n_layer" in cfg else cfg["num_hidden_layers"],
            "num_attention_heads": cfg["n_head"] if "n_head" in cfg else cfg["num_attention_heads"],
            "intermediate_size": cfg.get("ffn_hidden_size", cfg.get("intermediate_size")) // 2,
            "tie_word_embeddings": cfg.get("tie_word_embeddings", False),
        }
    if kind in ("baichuan", "internlm", "internlm2"):
        out = {
            "model_type": "llama",
            "architectures": ["LlamaForCausalLM"],
            "vocab_size": cfg["vocab_size"],
            "hidden_size": cfg["hidden_size"],
            "num_hidden_layers": cfg["num_hidden_layers"],
            "num_attention_heads": cfg["num_attention_heads"],
            "num_key_value_heads": cfg.get("num_key_value_heads", cfg["num_attention_heads"]),
            "intermediate_size": cfg["intermediate_size"],
            "tie_word_embeddings": cfg.get("tie_word_embeddings", False),
        }
        if kind == "internlm":
            out["attention_bias"] = cfg.get("bias", True)
        if kind == "internlm2":
            out["attention_bias"] = cfg.get("bias", False)
        return out
    if kind == "moss":
        cfg["model_type"] = "codegen"
        cfg["architectures"] = ["CodeGenForCausalLM"]
        cfg.pop("auto_map", None)
        return cfg
    if kind in ("RefinedWebModel", "RefinedWeb"):
        new = kind == "RefinedWeb"
        out = {
            "model_type": "falcon",
            "architectures": ["FalconForCausalLM"],
            "vocab_size": cfg["vocab_size"],
            "hidden_size": cfg["hidden_size"],
            "num_hidden_layers": cfg["n_layer"],
            "num_attention_heads": cfg["n_head"],
            "bias": cfg.get("bias", False),
            "parallel_attn": cfg.get("parallel_attn", True),
            "alibi": cfg.get("alibi", False),
            "new_decoder_architecture": new,
            "multi_query": cfg.get("multi_query", True),
        }
        if new:
            out["num_kv_heads"] = cfg.get("n_head_kv", 1)
        return out
    cfg.pop("auto_map", None)
    return cfg


def meta_count(config: dict[str, Any], default_class: str | None = None) -> int:
    """The exact number of parameters of the model ``config`` describes, counted on the meta device.

    ``default_class`` is built when the config names no class in ``architectures``.
    """
    import torch
    import transformers

    cfg = equivalent(config)
    model_type = cfg.pop("model_type")
    architectures = cfg.get("architectures") or [default_class or _DEFAULT_CLASS[model_type]]
    untied_t5_head = 0
    if model_type in ("t5", "mt5", "umt5") and cfg.get("tie_word_embeddings") is False:
        if architectures[0].endswith("ForConditionalGeneration"):
            untied_t5_head = cfg["vocab_size"] * cfg["d_model"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hf_config = transformers.AutoConfig.for_model(model_type, **cfg)
        model_class = getattr(transformers, architectures[0])
        with torch.device("meta"):
            model = model_class(hf_config)
    return sum(p.numel() for p in model.parameters()) + untied_t5_head
