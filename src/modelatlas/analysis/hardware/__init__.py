"""Can I run it? Exact parameter counts from configs, GPU memory for inference and training, fit and speed."""

from modelatlas.analysis.hardware.params import (
    KNOWN,
    ParameterCount,
    Shape,
    count_parameters,
    estimate_from_total,
)

__all__ = ["KNOWN", "ParameterCount", "Shape", "count_parameters", "estimate_from_total"]
