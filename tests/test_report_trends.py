"""``report.trends``: the report's tables say nothing for what is unknown."""

from __future__ import annotations

import datetime as dt

from modelatlas.catalog.schema import Model, Organization
from modelatlas.report.trends import build_report


def _model(number: int, organizations: list[str]) -> Model:
    return Model.model_validate(
        {
            "id": f"m{number}",
            "name": f"M{number}",
            "domains": ["nlp"],
            "organizations": organizations,
            "released": f"202{number}-01-01",
            "parameters": {"total": 10**9 * (number + 1)},
            "training": {"co2e_t": 10.0 * (number + 1)},
            "sources": [
                {
                    "id": "s",
                    "citation": "c",
                    "accessed": "2026-01-01",
                    "fields": ["released", "parameters", "training.co2e_t"],
                }
            ],
        }
    )


def test_a_model_without_an_organization_shows_an_empty_cell_not_nan() -> None:
    org = Organization.model_validate({"id": "o", "name": "Org", "kind": "company", "country": "US"})
    models = [_model(1, ["o"]), _model(2, []), _model(3, [])]  # beside a named one, pandas made None NaN
    report = build_report(models, {"o": org}, today=dt.date(2026, 12, 4))
    cells = [
        cell for section in report.sections for table in section.tables for row in table.rows for cell in row
    ]
    assert "M1" in cells and "Org" in cells and "" in cells
    assert not any(str(cell) == "nan" for cell in cells)
