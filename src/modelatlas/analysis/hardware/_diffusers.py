"""Exact parameter counts of diffusers models from their ``config.json``: UNet, VAE, FLUX transformer.

Each function adds up the modules the diffusers class builds from the config, with the class's defaults
for settings a config leaves out: ``UNet2DConditionModel`` (Stable Diffusion 1.x/2.x, SDXL),
``AutoencoderKL`` (their VAE, and FLUX's) and ``FluxTransformer2DModel``. A setting that changes the
modules in a way not counted here (a class embedding, an encoder projection, other block types) is an
error naming it rather than a wrong count. ``tests/diffusers_reference.py`` builds the same classes on
PyTorch's meta device to check the counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelatlas.analysis.hardware._tally import Config, Tally
from modelatlas.errors import ConfigError

__all__ = ["autoencoder_kl", "flux_transformer", "unet_2d_condition"]


def _conv(t: Tally, fan_in: int, fan_out: int, kernel: int, *, bias: bool = True) -> None:
    t.add("other", fan_in * fan_out * kernel * kernel + (fan_out if bias else 0))


def _group_norm(t: Tally, channels: int) -> None:
    t.norm(channels, bias=True)


def _resnet(t: Tally, fan_in: int, fan_out: int, temb: int | None) -> None:
    """``ResnetBlock2D``: two GroupNorms and 3×3 convolutions, the time embedding's projection (when the
    block takes one) and a 1×1 shortcut when the widths differ."""
    _group_norm(t, fan_in)
    _conv(t, fan_in, fan_out, 3)
    if temb is not None:
        t.linear("embedding", temb, fan_out, bias=True)
    _group_norm(t, fan_out)
    _conv(t, fan_out, fan_out, 3)
    if fan_in != fan_out:
        _conv(t, fan_in, fan_out, 1)


def _transformer_2d(t: Tally, channels: int, heads: int, layers: int, cross: int) -> None:
    """``Transformer2DModel`` over a feature map: GroupNorm, a 1×1 projection in (a linear layer with
    ``use_linear_projection``: the same count), ``layers`` ``BasicTransformerBlock`` (self-attention,
    cross-attention to the text, a GEGLU feed-forward of 4× width, three LayerNorms) and a projection out."""
    inner = heads * (channels // heads)
    _group_norm(t, channels)
    t.linear("other", channels, inner, bias=True)
    for _ in range(layers):
        t.norm(inner, bias=True, times=3)
        t.add("attention", 3 * inner * inner)  # self-attention q, k, v: no bias
        t.linear("attention", inner, inner, bias=True)
        t.add("attention", inner * inner + 2 * cross * inner)  # cross-attention q, and k, v from the text
        t.linear("attention", inner, inner, bias=True)
        t.linear("mlp", inner, 2 * 4 * inner, bias=True)  # GEGLU: value and gate
        t.linear("mlp", 4 * inner, inner, bias=True)
    t.linear("other", inner, channels, bias=True)


def _per_block(cfg: Config, name: str, blocks: int, default: Any) -> list[int]:
    """A setting given once or per block (``attention_head_dim: 8`` or ``[5, 10, 20]``)."""
    value = cfg.get(name, default=default)
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != blocks:
            raise ConfigError(cfg.origin, name, f"has {len(value)} values for {blocks} blocks")
        return [Config({name: v}, cfg.origin).int(name) for v in value]
    return [cfg.int(name, default=default)] * blocks


def _refuse(cfg: Config, allowed: dict[str, Any]) -> None:
    """Settings that would add modules this count leaves out: an error naming the first one set."""
    for name, neutral in allowed.items():
        value = cfg.get(name)
        if value is not None and value != neutral:
            raise ConfigError(cfg.origin, name, f"{value!r} is not counted by modelatlas (only {neutral!r})")


def unet_2d_condition(cfg: Config, t: Tally) -> None:
    """``UNet2DConditionModel``: the denoiser of Stable Diffusion 1.x/2.x and SDXL.

    Raises:
        ConfigError: a setting this count does not cover (class embeddings, an encoder projection,
            3D or other block types), or a size missing.
    """
    _refuse(
        cfg,
        {
            "class_embed_type": None,
            "num_class_embeds": None,
            "encoder_hid_dim_type": None,
            "time_cond_proj_dim": None,
            "time_embedding_type": "positional",
            "resnet_time_scale_shift": "default",
            "dual_cross_attention": False,
            "class_embeddings_concat": False,
            "only_cross_attention": False,
            "attention_type": "default",
        },
    )
    widths = [Config({"w": w}, cfg.origin).int("w") for w in cfg.get("block_out_channels", default=[])]
    down, up = cfg.get("down_block_types", default=[]), cfg.get("up_block_types", default=[])
    if not widths or len(down) != len(widths) or len(up) != len(widths):
        raise ConfigError(cfg.origin, "block_out_channels", "needs one width per down and up block")
    blocks = len(widths)
    heads = _per_block(cfg, "num_attention_heads", blocks, None) if cfg.has("num_attention_heads") else []
    heads = heads or _per_block(cfg, "attention_head_dim", blocks, 8)  # diffusers reads it as heads
    cross = _per_block(cfg, "cross_attention_dim", blocks, 1280)
    depth = _per_block(cfg, "transformer_layers_per_block", blocks, 1)
    layers = _per_block(cfg, "layers_per_block", blocks, 2)
    temb = cfg.int("time_embedding_dim", default=4 * widths[0])
    kernel_in, kernel_out = cfg.int("conv_in_kernel", default=3), cfg.int("conv_out_kernel", default=3)

    _conv(t, cfg.int("in_channels", default=4), widths[0], kernel_in)
    t.linear("embedding", widths[0], temb, bias=True)  # TimestepEmbedding: two linear layers
    t.linear("embedding", temb, temb, bias=True)
    added = cfg.get("addition_embed_type")
    if added == "text_time":  # SDXL: pooled text and image sizes, embedded like the time
        t.linear("embedding", cfg.int("projection_class_embeddings_input_dim"), temb, bias=True)
        t.linear("embedding", temb, temb, bias=True)
    elif added is not None:
        raise ConfigError(cfg.origin, "addition_embed_type", f"{added!r} is not counted (only text_time)")

    fan_out = widths[0]
    for i, kind in enumerate(down):
        fan_in, fan_out = fan_out, widths[i]
        for j in range(layers[i]):
            _resnet(t, fan_in if j == 0 else fan_out, fan_out, temb)
            if kind == "CrossAttnDownBlock2D":
                _transformer_2d(t, fan_out, heads[i], depth[i], cross[i])
            elif kind != "DownBlock2D":
                raise ConfigError(cfg.origin, "down_block_types", f"{kind} is not counted")
        if i < blocks - 1:
            _conv(t, fan_out, fan_out, 3)  # Downsample2D

    mid = cfg.get("mid_block_type", default="UNetMidBlock2DCrossAttn")
    if mid == "UNetMidBlock2DCrossAttn":
        _resnet(t, widths[-1], widths[-1], temb)
        for _ in range(1):
            _transformer_2d(t, widths[-1], heads[-1], depth[-1], cross[-1])
            _resnet(t, widths[-1], widths[-1], temb)
    elif mid is not None:
        raise ConfigError(cfg.origin, "mid_block_type", f"{mid} is not counted")

    back_widths, back_heads = widths[::-1], heads[::-1]
    back_cross, back_depth, back_layers = cross[::-1], depth[::-1], layers[::-1]
    fan_out = back_widths[0]
    for i, kind in enumerate(up):
        previous, fan_out = fan_out, back_widths[i]
        skip_in = back_widths[min(i + 1, blocks - 1)]
        count = back_layers[i] + 1
        for j in range(count):
            skip = skip_in if j == count - 1 else fan_out
            _resnet(t, (previous if j == 0 else fan_out) + skip, fan_out, temb)
            if kind == "CrossAttnUpBlock2D":
                _transformer_2d(t, fan_out, back_heads[i], back_depth[i], back_cross[i])
            elif kind != "UpBlock2D":
                raise ConfigError(cfg.origin, "up_block_types", f"{kind} is not counted")
        if i < blocks - 1:
            _conv(t, fan_out, fan_out, 3)  # Upsample2D

    _group_norm(t, widths[0])
    _conv(t, widths[0], cfg.int("out_channels", default=4), kernel_out)


def _vae_mid(t: Tally, channels: int, *, attention: bool) -> None:
    """``UNetMidBlock2D``: a ResNet, one single-head self-attention over the map (GroupNorm, q, k, v and out
    with biases) and another ResNet."""
    _resnet(t, channels, channels, None)
    if attention:
        _group_norm(t, channels)
        t.linear("attention", channels, channels, bias=True, times=4)
    _resnet(t, channels, channels, None)


def autoencoder_kl(cfg: Config, t: Tally) -> None:
    """``AutoencoderKL``: the encoder (to a mean and a variance per latent channel), the decoder, and the
    1×1 convolutions around the latent that the SD VAEs have and FLUX's leaves out.

    Raises:
        ConfigError: other block types, or a size missing.
    """
    widths = [Config({"w": w}, cfg.origin).int("w") for w in cfg.get("block_out_channels", default=[64])]
    down = cfg.get("down_block_types", default=["DownEncoderBlock2D"])
    up = cfg.get("up_block_types", default=["UpDecoderBlock2D"])
    if any(k != "DownEncoderBlock2D" for k in down) or any(k != "UpDecoderBlock2D" for k in up):
        raise ConfigError(
            cfg.origin, "down_block_types", "only DownEncoderBlock2D/UpDecoderBlock2D are counted"
        )
    if len(down) != len(widths) or len(up) != len(widths):
        raise ConfigError(cfg.origin, "block_out_channels", "needs one width per down and up block")
    layers = cfg.int("layers_per_block", default=1)
    latent = cfg.int("latent_channels", default=4)
    attention = cfg.flag("mid_block_add_attention", default=True)

    _conv(t, cfg.int("in_channels", default=3), widths[0], 3)
    fan_out = widths[0]
    for i, width in enumerate(widths):
        fan_in, fan_out = fan_out, width
        for j in range(layers):
            _resnet(t, fan_in if j == 0 else fan_out, fan_out, None)
        if i < len(widths) - 1:
            _conv(t, fan_out, fan_out, 3)
    _vae_mid(t, widths[-1], attention=attention)
    _group_norm(t, widths[-1])
    _conv(t, widths[-1], 2 * latent, 3)  # mean and log-variance

    _conv(t, latent, widths[-1], 3)
    _vae_mid(t, widths[-1], attention=attention)
    back = widths[::-1]
    fan_out = back[0]
    for i, width in enumerate(back):
        previous, fan_out = fan_out, width
        for j in range(layers + 1):
            _resnet(t, previous if j == 0 else fan_out, fan_out, None)
        if i < len(back) - 1:
            _conv(t, fan_out, fan_out, 3)
    _group_norm(t, widths[0])
    _conv(t, widths[0], cfg.int("out_channels", default=3), 3)

    if cfg.flag("use_quant_conv", default=True):
        _conv(t, 2 * latent, 2 * latent, 1)
    if cfg.flag("use_post_quant_conv", default=True):
        _conv(t, latent, latent, 1)


def flux_transformer(cfg: Config, t: Tally) -> None:
    """``FluxTransformer2DModel``: embeddings of the latents, the text and the time (and the guidance for
    FLUX.1 [dev]), double-stream blocks with separate weights for image and text tokens, single-stream
    blocks, and the modulated output layer."""
    dim = cfg.int("num_attention_heads", default=24) * cfg.int("attention_head_dim", default=128)
    head = cfg.int("attention_head_dim", default=128)
    channels = cfg.int("in_channels", default=64)
    out = cfg.int("out_channels", default=channels)
    patch = cfg.int("patch_size", default=1)

    stamps = 2 if cfg.flag("guidance_embeds", default=False) else 1
    t.linear("embedding", 256, dim, bias=True, times=stamps)  # timestep (and guidance) embedders
    t.linear("embedding", dim, dim, bias=True, times=stamps)
    t.linear("embedding", cfg.int("pooled_projection_dim", default=768), dim, bias=True)  # pooled text
    t.linear("embedding", dim, dim, bias=True)
    t.linear("embedding", cfg.int("joint_attention_dim", default=4096), dim, bias=True)  # text tokens
    t.linear("embedding", channels, dim, bias=True)  # latent patches

    double = cfg.int("num_layers", default=19)
    t.linear("other", dim, 6 * dim, bias=True, times=2 * double)  # AdaLayerNormZero, image and text
    t.linear("attention", dim, dim, bias=True, times=8 * double)  # q, k, v, out for each stream
    t.norm(head, bias=False, times=4 * double)  # RMSNorm of q and k, each stream
    t.linear("mlp", dim, 4 * dim, bias=True, times=2 * double)
    t.linear("mlp", 4 * dim, dim, bias=True, times=2 * double)

    single = cfg.int("num_single_layers", default=38)
    t.linear("other", dim, 3 * dim, bias=True, times=single)  # AdaLayerNormZeroSingle
    t.linear("attention", dim, dim, bias=True, times=3 * single)  # q, k, v (no out: fused below)
    t.norm(head, bias=False, times=2 * single)
    t.linear("mlp", dim, 4 * dim, bias=True, times=single)
    t.linear("mlp", 5 * dim, dim, bias=True, times=single)  # attention and MLP outputs together

    t.linear("other", dim, 2 * dim, bias=True)  # AdaLayerNormContinuous
    t.linear("head", dim, patch * patch * out, bias=True)
