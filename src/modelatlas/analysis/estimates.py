"""Estimates for facts a source does not state, each labelled with its method and inputs.

- Training compute of a dense transformer: ``C ≈ 6 · N · D`` FLOP for ``N`` parameters and ``D`` training
  tokens (Kaplan et al. 2020, arXiv:2001.08361, section 2.1: about 6N FLOP per token, forward and
  backward).
- Carbon: energy = accelerator-hours × average power per accelerator × PUE; CO2e = energy × grid carbon
  intensity (Patterson et al. 2021, arXiv:2104.10350, and Touvron et al. 2023, arXiv:2302.13971,
  section 6.2, use this formula).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from modelatlas.errors import BadArgument

__all__ = ["PUBLISHED_RUNS", "CarbonEstimate", "Estimate", "PublishedRun", "carbon", "training_compute"]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A value that no source states: how it was computed and from what."""

    value: float
    unit: str
    method: str
    inputs: dict[str, float] = field(default_factory=dict)


def training_compute(parameters: float, tokens: float) -> Estimate:
    """Training FLOP of a dense transformer with ``parameters`` trained on ``tokens``: ``6 · N · D``."""
    _positive(parameters=parameters, tokens=tokens)
    return Estimate(
        value=6.0 * parameters * tokens,
        unit="FLOP",
        method="6ND (Kaplan et al. 2020: 6 FLOP per parameter per training token)",
        inputs={"parameters": parameters, "tokens": tokens},
    )


@dataclass(frozen=True, slots=True)
class CarbonEstimate:
    """Energy and emissions of a training run, with the inputs they follow from."""

    energy_mwh: float
    co2e_t: float
    method: str
    inputs: dict[str, float]


def carbon(
    accelerator_hours: float, watts: float, *, pue: float = 1.1, kg_per_kwh: float = 0.429
) -> CarbonEstimate:
    """Energy (MWh) and CO2e (tonnes) of ``accelerator_hours`` drawing ``watts`` each on average.

    The defaults are Patterson et al.'s figures for GPT-3: a data-centre PUE of 1.1 and a grid of
    0.429 kg CO2e per kWh. ``carbon(10_000 * 14.8 * 24, 330)`` gives their 552 t.
    """
    _positive(accelerator_hours=accelerator_hours, watts=watts, pue=pue, kg_per_kwh=kg_per_kwh)
    kwh = accelerator_hours * watts / 1000 * pue
    return CarbonEstimate(
        energy_mwh=kwh / 1000,
        co2e_t=kwh * kg_per_kwh / 1000,
        method="accelerator-hours × power × PUE × grid carbon intensity (Patterson et al. 2021)",
        inputs={"accelerator_hours": accelerator_hours, "watts": watts, "pue": pue, "kg_per_kwh": kg_per_kwh},
    )


def _positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise BadArgument(f"{name} must be a positive number, not {value!r}")


@dataclass(frozen=True, slots=True)
class PublishedRun:
    """A training run whose energy inputs and emissions its authors published: a check on ``carbon``."""

    model: str
    accelerator_hours: float
    watts: float
    pue: float
    kg_per_kwh: float
    published_co2e_t: float
    source: str

    def estimate(self) -> CarbonEstimate:
        return carbon(self.accelerator_hours, self.watts, pue=self.pue, kg_per_kwh=self.kg_per_kwh)


PUBLISHED_RUNS: tuple[PublishedRun, ...] = (
    PublishedRun(
        model="GPT-3",
        accelerator_hours=10_000 * 14.8 * 24,  # 10,000 V100 for 14.8 days
        watts=330,
        pue=1.1,
        kg_per_kwh=0.429,
        published_co2e_t=552.1,
        source="Patterson et al. 2021, arXiv:2104.10350, Table 4",
    ),
    PublishedRun(
        model="LLaMA-13B",
        accelerator_hours=135_168,  # A100-80GB GPU-hours
        watts=400,
        pue=1.1,
        kg_per_kwh=0.385,
        published_co2e_t=23,
        source="Touvron et al. 2023, arXiv:2302.13971, Table 15",
    ),
)
