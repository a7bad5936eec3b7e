"""The ground truth for pipeline components: build the class on PyTorch's meta device and count.

Test-only (torch, diffusers and transformers are dev dependencies, never imported by modelatlas).
``meta_component_count(class_name, config)`` builds a diffusers model with ``from_config`` or a
transformers text encoder from its config under ``torch.device("meta")`` (no memory, no weights) and
sums ``numel`` over its parameters.
"""

from __future__ import annotations

import warnings
from typing import Any


def meta_component_count(class_name: str, config: dict[str, Any]) -> int:
    """The parameters of the pipeline component ``class_name`` that ``config`` describes."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if class_name in ("CLIPTextModel", "CLIPTextModelWithProjection", "T5EncoderModel"):
            import transformers

            config_class = (
                transformers.T5Config if class_name == "T5EncoderModel" else transformers.CLIPTextConfig
            )
            model_class = getattr(transformers, class_name)
            settings = {k: v for k, v in config.items() if k not in ("architectures", "model_type")}
            with torch.device("meta"):
                model = model_class(config_class(**settings))
        elif class_name == "StableDiffusionSafetyChecker":
            import transformers
            from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker

            settings = {k: v for k, v in config.items() if k not in ("architectures", "model_type")}
            with torch.device("meta"):
                model = StableDiffusionSafetyChecker(transformers.CLIPConfig(**settings))
        else:
            import diffusers

            with torch.device("meta"):
                model = getattr(diffusers, class_name).from_config(config)
    return sum(p.numel() for p in model.parameters())
