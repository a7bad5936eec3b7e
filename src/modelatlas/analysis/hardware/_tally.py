"""The bookkeeping behind a parameter count: a config reader with aliases, and a tally by group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelatlas.errors import ConfigError

__all__ = ["GROUPS", "MOST", "MOST_LAYERS", "Config", "Tally"]

#: The most layers a config may set: the counts walk the layers one by one (so 10¹² layers would keep a
#: worker busy for hours), and the deepest real models have a few hundred.
MOST_LAYERS = 100_000
#: The largest any other setting may be: above every real vocabulary, width or context (10M tokens).
MOST = 2**32
_LAYER_SETTINGS = frozenset(
    "num_hidden_layers n_layer num_layers encoder_layers decoder_layers num_decoder_layers".split()
)

#: The breakdown every count reports, in display order.
GROUPS = ("embedding", "attention", "mlp", "experts", "norm", "head", "other")


class Config:
    """A ``config.json`` read with the defaults of the architecture's config class.

    ``origin`` (a path or repo id) names the file in errors.
    """

    def __init__(self, data: Mapping[str, Any], origin: str) -> None:
        self.data = data
        self.origin = origin

    def has(self, *names: str) -> bool:
        return any(self.data.get(n) is not None for n in names)

    def get(self, *names: str, default: Any = None) -> Any:
        """The first of ``names`` the config sets (to something other than null), else ``default``."""
        for name in names:
            value = self.data.get(name)
            if value is not None:
                return value
        return default

    def int(self, *names: str, default: int | None = None) -> int:
        """An integer setting; a clear error naming the file when it is missing or not a number.

        Raises:
            ConfigError: none of ``names`` is set and there is no default, the value is not an integer,
                or it is negative or beyond any model (``MOST_LAYERS`` layers, ``MOST`` otherwise).
        """
        value = self.get(*names, default=default)
        if value is None:
            also = f" (nor {', '.join(names[1:])})" if len(names) > 1 else ""
            raise ConfigError(self.origin, names[0], f"missing{also}; the count needs it")
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            raise ConfigError(self.origin, names[0], f"{value!r} is not a whole number")
        if value < 0:
            raise ConfigError(self.origin, names[0], f"{value!r} is negative")
        name = next((n for n in names if self.data.get(n) is not None), names[0])
        most = MOST_LAYERS if name in _LAYER_SETTINGS else MOST
        if value > most:
            raise ConfigError(self.origin, name, f"{int(value):,} is beyond any model (at most {most:,})")
        return int(value)

    def flag(self, *names: str, default: bool) -> bool:
        value = self.get(*names, default=default)
        return bool(value)

    def sub(self, name: str) -> Config:
        """A nested config (``text_config``, ``vision_config``); empty when absent, so defaults apply."""
        value = self.data.get(name) or self.data.get(f"{name}_dict") or {}
        if not isinstance(value, Mapping):
            raise ConfigError(self.origin, name, "is not an object")
        return Config(value, f"{self.origin} {name}")


class Tally:
    """Parameters added up by group; routed experts also record how many are active per token."""

    def __init__(self) -> None:
        self.groups: dict[str, int] = dict.fromkeys(GROUPS, 0)
        self.inactive = 0

    @property
    def total(self) -> int:
        return sum(self.groups.values())

    def add(self, group: str, count: int, *, times: int = 1) -> None:
        self.groups[group] += count * times

    def linear(self, group: str, fan_in: int, fan_out: int, *, bias: bool, times: int = 1) -> None:
        self.add(group, fan_in * fan_out + (fan_out if bias else 0), times=times)

    def norm(self, dim: int, *, bias: bool, times: int = 1) -> None:
        """A LayerNorm (``bias=True``: weight and bias) or an RMSNorm (weight only)."""
        self.add("norm", dim * (2 if bias else 1), times=times)

    def experts(self, per_expert: int, *, experts: int, active: int, times: int = 1) -> None:
        """``experts`` routed experts of ``per_expert`` parameters each, ``active`` of them used per token."""
        self.add("experts", per_expert * experts, times=times)
        self.inactive += per_expert * (experts - active) * times
