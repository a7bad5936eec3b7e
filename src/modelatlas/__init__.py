"""modelatlas: a tracker of large AI models (大模型趋势追踪)."""

from modelatlas.errors import ModelAtlasError

__all__ = ["ModelAtlasError", "__version__"]

__version__ = "0.1.0"
