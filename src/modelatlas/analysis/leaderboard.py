"""Organizations ranked: by models released, by their largest model, by their largest training run."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from modelatlas.errors import BadArgument

__all__ = ["Ranking", "organizations"]

Ranking = Literal["models", "largest", "compute"]
_SORT = {"models": "models", "largest": "largest_parameters", "compute": "largest_compute"}


def organizations(frame: pd.DataFrame, *, by: Ranking = "models", n: int = 20) -> pd.DataFrame:
    """One row per organization: ``models``, ``largest_parameters`` (and its model), ``largest_compute``.

    A model made by several organizations counts for each of them. Ties are broken by organization id.
    """
    if by not in _SORT:
        raise BadArgument(f"unknown ranking {by!r}: choose models, largest or compute")
    if n < 1:
        raise BadArgument(f"n must be at least 1, not {n}")
    rows = frame.explode("organizations", ignore_index=True).dropna(subset=["organizations"])
    groups = rows.groupby("organizations", sort=False)
    sized = rows.dropna(subset=["parameters"])
    largest = sized.loc[sized.groupby("organizations")["parameters"].idxmax()].set_index("organizations")
    table = pd.DataFrame(
        {
            "models": groups.size(),
            "largest_parameters": groups["parameters"].max(),
            "largest_model": largest["name"],
            "largest_compute": groups["compute"].max(),
        }
    )
    table = table.rename_axis("organization").reset_index()
    ranked = table.sort_values([_SORT[by], "organization"], ascending=[False, True], na_position="last")
    return ranked.head(n).reset_index(drop=True)
