"""Exact parameter counts of encoders and encoder-decoders: BERT, RoBERTa, T5, ViT, CLIP, Whisper.

``model_class`` is the transformers class the config names; the heads differ by class (a pooler on
``BertModel`` but not on ``BertForMaskedLM``, a classifier on ``ViTForImageClassification``).
"""

from __future__ import annotations

from modelatlas.analysis.hardware._tally import Config, Tally

__all__ = ["bert", "clip", "clip_text", "safety_checker", "t5", "vit", "whisper"]


def _labels(cfg: Config) -> int:
    id2label = cfg.get("id2label")
    return len(id2label) if isinstance(id2label, dict) else cfg.int("num_labels", default=2)


def _encoder_layers(t: Tally, hidden: int, inner: int, layers: int, *, qkv_bias: bool = True) -> None:
    """Post-/pre-LN Transformer layers: q, k, v, o, two LayerNorms and a two-layer MLP, with biases."""
    t.linear("attention", hidden, hidden, bias=qkv_bias, times=3 * layers)
    t.linear("attention", hidden, hidden, bias=True, times=layers)
    t.linear("mlp", hidden, inner, bias=True, times=layers)
    t.linear("mlp", inner, hidden, bias=True, times=layers)
    t.norm(hidden, bias=True, times=2 * layers)


def bert(kind: str, model_class: str, cfg: Config, t: Tally) -> None:
    """BERT and RoBERTa (and XLM-RoBERTa): the head depends on the class."""
    hidden = cfg.int("hidden_size")
    vocab = cfg.int("vocab_size")
    t.add("embedding", vocab * hidden)
    t.add("embedding", cfg.int("max_position_embeddings", default=512) * hidden)
    t.add("embedding", cfg.int("type_vocab_size", default=2) * hidden)
    t.norm(hidden, bias=True)
    _encoder_layers(t, hidden, cfg.int("intermediate_size"), cfg.int("num_hidden_layers"))

    task = model_class.removeprefix("XLM").removeprefix("Roberta").removeprefix("Bert")
    pooled = kind == "bert" and task in (
        "Model",
        "ForPreTraining",
        "ForSequenceClassification",
        "ForNextSentencePrediction",
    )
    if kind != "bert" and task == "Model":
        pooled = True
    if pooled:
        t.linear("head", hidden, hidden, bias=True)
    if task in ("ForMaskedLM", "ForPreTraining", "LMHeadModel", "ForCausalLM"):
        t.linear("head", hidden, hidden, bias=True)  # the prediction head's dense transform
        t.norm(hidden, bias=True)
        tied = cfg.flag("tie_word_embeddings", default=True)
        t.add("head", vocab if tied else vocab * hidden + vocab)
    if task in ("ForPreTraining", "ForNextSentencePrediction"):
        t.linear("head", hidden, 2, bias=True)
    if task == "ForSequenceClassification":
        if kind != "bert":
            t.linear("head", hidden, hidden, bias=True)
        t.linear("head", hidden, _labels(cfg), bias=True)
    if task == "ForTokenClassification":
        t.linear("head", hidden, _labels(cfg), bias=True)
    if task == "ForQuestionAnswering":
        t.linear("head", hidden, 2, bias=True)


def t5(kind: str, model_class: str, cfg: Config, t: Tally) -> None:
    """T5, mT5, ByT5, UL2 (T5 v1.1 layout) and umT5 (relative position bias in every layer)."""
    d = cfg.int("d_model")
    inner = cfg.int("num_heads") * cfg.int("d_kv")
    ff = cfg.int("d_ff")
    heads = cfg.int("num_heads")
    buckets = cfg.int("relative_attention_num_buckets", default=32)
    gated = str(cfg.get("feed_forward_proj", default="relu")).startswith("gated-")
    enc_layers = cfg.int("num_layers")
    dec_layers = cfg.int("num_decoder_layers", default=enc_layers)
    vocab = cfg.int("vocab_size")
    t.add("embedding", vocab * d)

    def stack(layers: int, *, cross: bool) -> None:
        attentions = 2 if cross else 1
        t.linear("attention", d, inner, bias=False, times=3 * attentions * layers)
        t.linear("attention", inner, d, bias=False, times=attentions * layers)
        t.linear("mlp", d, ff, bias=False, times=(2 if gated else 1) * layers)
        t.linear("mlp", ff, d, bias=False, times=layers)
        t.norm(d, bias=False, times=(attentions + 1) * layers + 1)
        t.add("other", buckets * heads, times=layers if kind == "umt5" else 1)

    stack(enc_layers, cross=False)
    if model_class.endswith("EncoderModel"):
        return
    stack(dec_layers, cross=True)
    if model_class.endswith("ForConditionalGeneration") and not cfg.flag(
        "tie_word_embeddings", default=kind != "mt5"
    ):
        t.linear("head", d, vocab, bias=False)


def vit(model_class: str, cfg: Config, t: Tally) -> None:
    """ViT: a pooler on ``ViTModel``, a classifier on ``ViTForImageClassification``."""
    hidden = cfg.int("hidden_size", default=768)
    patch = cfg.int("patch_size", default=16)
    channels = cfg.int("num_channels", default=3)
    patches = (cfg.int("image_size", default=224) // patch) ** 2
    t.add("embedding", hidden + (patches + 1) * hidden)  # class token and positions
    t.add("embedding", channels * patch * patch * hidden + hidden)  # the patch convolution
    if model_class == "ViTModel" and cfg.flag("use_mask_token", default=False):
        t.add("embedding", hidden)
    _encoder_layers(
        t,
        hidden,
        cfg.int("intermediate_size", default=3072),
        cfg.int("num_hidden_layers", default=12),
        qkv_bias=cfg.flag("qkv_bias", default=True),
    )
    t.norm(hidden, bias=True)
    if model_class == "ViTModel":
        t.linear("head", hidden, cfg.int("pooler_output_size", default=hidden), bias=True)
    elif model_class == "ViTForImageClassification" and _labels(cfg) > 0:
        t.linear("head", hidden, _labels(cfg), bias=True)


def _clip_text(text: Config, t: Tally) -> int:
    """CLIP's text Transformer: token and position embeddings, pre-LN layers, a final LayerNorm."""
    hidden = text.int("hidden_size", default=512)
    t.add(
        "embedding",
        (text.int("vocab_size", default=49408) + text.int("max_position_embeddings", default=77)) * hidden,
    )
    _encoder_layers(
        t, hidden, text.int("intermediate_size", default=2048), text.int("num_hidden_layers", default=12)
    )
    t.norm(hidden, bias=True)
    return hidden


def _clip_vision(vision: Config, t: Tally) -> int:
    """CLIP's ViT: class token, patch convolution without bias, positions, pre- and post-LayerNorm."""
    hidden = vision.int("hidden_size", default=768)
    patch = vision.int("patch_size", default=32)
    patches = (vision.int("image_size", default=224) // patch) ** 2
    t.add("embedding", hidden + (patches + 1) * hidden)
    t.add("embedding", vision.int("num_channels", default=3) * patch * patch * hidden)  # no bias
    _encoder_layers(
        t, hidden, vision.int("intermediate_size", default=3072), vision.int("num_hidden_layers", default=12)
    )
    t.norm(hidden, bias=True, times=2)
    return hidden


def clip(cfg: Config, t: Tally) -> None:
    """CLIPModel: a text Transformer, a ViT, and the two projections into the shared space."""
    text_hidden = _clip_text(cfg.sub("text_config"), t)
    hidden = _clip_vision(cfg.sub("vision_config"), t)
    projection = cfg.int("projection_dim", default=512)
    t.linear("head", hidden, projection, bias=False)
    t.linear("head", text_hidden, projection, bias=False)
    t.add("head", 1)  # logit scale


def clip_text(model_class: str, cfg: Config, t: Tally) -> None:
    """CLIPTextModel (Stable Diffusion's text encoder), and CLIPTextModelWithProjection (SDXL's second),
    which adds the projection into the shared space."""
    hidden = _clip_text(cfg, t)
    if model_class == "CLIPTextModelWithProjection":
        t.linear("head", hidden, cfg.int("projection_dim", default=512), bias=False)


def safety_checker(cfg: Config, t: Tally) -> None:
    """Stable Diffusion's safety checker: CLIP's ViT-L/14, its projection, and 17 concept and 3
    special-care embeddings with a threshold each (diffusers' ``StableDiffusionSafetyChecker``)."""
    vision = cfg.sub("vision_config")
    hidden = _clip_vision(vision, t)
    projection = cfg.int("projection_dim", default=512)
    t.linear("head", hidden, projection, bias=False)
    t.add("other", (17 + 3) * projection + 17 + 3)


def whisper(model_class: str, cfg: Config, t: Tally) -> None:
    """Whisper: a convolutional front end and encoder, a decoder with cross-attention, tied output."""
    d = cfg.int("d_model")
    enc_layers, dec_layers = cfg.int("encoder_layers"), cfg.int("decoder_layers")
    vocab = cfg.int("vocab_size")
    t.add("embedding", cfg.int("num_mel_bins", default=80) * d * 3 + d + d * d * 3 + d)  # two convolutions
    t.add("embedding", cfg.int("max_source_positions", default=1500) * d)
    t.add("embedding", vocab * d + cfg.int("max_target_positions", default=448) * d)

    def attention(times: int) -> None:  # k has no bias
        t.add("attention", 4 * d * d + 3 * d, times=times)

    attention(enc_layers + 2 * dec_layers)
    t.linear("mlp", d, cfg.int("encoder_ffn_dim"), bias=True, times=enc_layers)
    t.linear("mlp", cfg.int("encoder_ffn_dim"), d, bias=True, times=enc_layers)
    t.linear("mlp", d, cfg.int("decoder_ffn_dim"), bias=True, times=dec_layers)
    t.linear("mlp", cfg.int("decoder_ffn_dim"), d, bias=True, times=dec_layers)
    t.norm(d, bias=True, times=2 * enc_layers + 3 * dec_layers + 2)
    if model_class == "WhisperForConditionalGeneration" and not cfg.flag("tie_word_embeddings", default=True):
        t.linear("head", d, vocab, bias=False)
