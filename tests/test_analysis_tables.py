"""The analysis tables on small hand-built catalogs: frame, select, timelines, shares, leaderboard,
lineage and estimates, each checked against values worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest
from networkx.readwrite import json_graph

from modelatlas.analysis.estimates import PUBLISHED_RUNS, carbon, training_compute
from modelatlas.analysis.frame import Selection, model_frame, select
from modelatlas.analysis.leaderboard import organizations
from modelatlas.analysis.lineage import (
    ancestors,
    depth,
    descendants,
    lineage_graph,
    most_built_on,
    to_graphml,
    to_json,
)
from modelatlas.analysis.shares import open_share, share_by
from modelatlas.analysis.timeline import between, newest, releases
from modelatlas.catalog.schema import Model, Notability, Organization
from modelatlas.errors import BadArgument, NotFound

ORGS: dict[str, Organization] = {
    o.id: o
    for o in (
        Organization.model_validate({"id": "meta", "name": "Meta", "country": "US", "kind": "company"}),
        Organization.model_validate({"id": "google", "name": "Google", "country": "US", "kind": "company"}),
        Organization.model_validate({"id": "deepmind", "name": "DeepMind", "country": "GB", "kind": "lab"}),
        Organization.model_validate(
            {"id": "tsinghua", "name": "Tsinghua University", "name_zh": "清华大学", "country": "CN"}
            | {"kind": "university"}
        ),
        Organization.model_validate({"id": "baai", "name": "BAAI", "country": "CN", "kind": "nonprofit"}),
    )
}


def model(
    id: str,
    *,
    released: str | None = None,
    domains: Sequence[str] = ("nlp",),
    orgs: Sequence[str] = (),
    openness: str | None = None,
    parameters: float | None = None,
    tokens: float | None = None,
    compute: float | None = None,
    architecture: dict[str, Any] | None = None,
    sources: Sequence[str] = ("seed",),
    bases: Iterable[tuple[str, str]] = (),
    name: str | None = None,
) -> Model:
    """A valid ``Model`` with only the facts a test needs."""
    record: dict[str, Any] = {
        "id": id,
        "name": name or id.upper(),
        "domains": list(domains),
        "organizations": list(orgs),
        "sources": [{"id": s, "citation": "test", "accessed": "2024-01-01"} for s in sources],
    }
    if released is not None:
        record["released"] = released
    if openness is not None:
        record["openness"] = openness
    if parameters is not None:
        record["parameters"] = {"total": parameters}
    training = {k: v for k, v in (("tokens", tokens), ("compute_flop", compute)) if v is not None}
    if training:
        record["training"] = training
    if architecture is not None:
        record["architecture"] = architecture
    if bases:
        record["base_models"] = [{"model": b, "relation": r} for b, r in bases]
    return Model.model_validate(record)


def frame_of(*models: Model) -> pd.DataFrame:
    return model_frame(models, ORGS)


def row(frame: pd.DataFrame, model_id: str) -> pd.Series:
    rows = frame[frame["id"] == model_id]
    assert len(rows) == 1, f"{model_id} appears {len(rows)} times"
    return rows.iloc[0]


def ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["id"])


# frame


def test_partial_dates_are_placed_at_their_midpoint() -> None:
    frame = frame_of(
        model("year-only", released="2020"),
        model("month-only", released="2021-03"),
        model("day", released="2020-01-01"),
        model("undated"),
    )
    year, month, day = row(frame, "year-only"), row(frame, "month-only"), row(frame, "day")
    assert year["released"] == pd.Timestamp("2020-07-02") and year["date_precision"] == "year"
    assert month["released"] == pd.Timestamp("2021-03-15") and month["date_precision"] == "month"
    assert day["released"] == pd.Timestamp("2020-01-01") and day["date_precision"] == "day"
    assert year["decimal_year"] == pytest.approx(2020.5, abs=1e-9)  # day 184 of a leap year: 183/366
    assert day["decimal_year"] == 2020.0
    assert month["decimal_year"] == pytest.approx(2021 + (31 + 28 + 14) / 365)
    assert int(year["year"]) == 2020 and int(month["year"]) == 2021
    undated = row(frame, "undated")
    assert pd.isna(undated["released"]) and pd.isna(undated["year"]) and math.isnan(undated["decimal_year"])
    assert len(frame) == 4  # an undated model is kept


def test_compute_is_stated_estimated_by_6nd_or_left_empty() -> None:
    frame = frame_of(
        model("stated", parameters=7e9, tokens=1e12, compute=3.1e23),
        model("dense", parameters=7e9, tokens=1e12),
        model("decoder", parameters=7e9, tokens=1e12, architecture={"type": "decoder-only"}),
        model("moe", parameters=47e9, tokens=1e12, architecture={"type": "decoder-only", "moe": True}),
        model("cnn", parameters=60e6, tokens=1e9, architecture={"type": "cnn"}),
        model("no-tokens", parameters=7e9),
    )
    assert row(frame, "stated")["compute"] == 3.1e23
    assert row(frame, "stated")["compute_method"] == "stated"
    for dense in ("dense", "decoder"):
        assert row(frame, dense)["compute"] == pytest.approx(4.2e22, rel=1e-12)
        assert row(frame, dense)["compute_method"] == "6ND"
    for empty in ("moe", "cnn", "no-tokens"):
        assert math.isnan(row(frame, empty)["compute"]), empty
        assert pd.isna(row(frame, empty)["compute_method"]), empty
    assert row(frame, "moe")["parameters"] == 47e9 and row(frame, "moe")["tokens"] == 1e12
    assert frame["compute"].dtype == "float64"


def _estimated(model_id: str, *estimates: tuple[str, float, str | None], **facts: Any) -> Model:
    """``model(model_id, **facts)`` with third-party estimates ``(field, value, variant)``."""
    record = model(model_id, released="2023-01-01", **facts).model_dump(exclude_none=True)
    record["estimates"] = [
        {"field": f, "value": v, "by": "Epoch AI", "source": "seed", "variant": variant}
        for f, v, variant in estimates
    ]
    return Model.model_validate(record)


def test_a_missing_fact_takes_a_third_party_estimate_labelled_as_such() -> None:
    """Stated beats estimate beats 6ND; an estimate about one variant never stands for the model; a dated
    version is left out (the model counts once)."""
    frame = frame_of(
        _estimated("rumoured", ("parameters", 1.8e12, None), ("training.compute_flop", 2.1e25, None)),
        _estimated(
            "stated", ("parameters", 1e9, None), ("training.compute_flop", 9e21, None), parameters=7e9
        ),
        _estimated("variant", ("training.compute_flop", 8.4e22, "Llama-2-7B"), parameters=7e9, tokens=2e12),
        _estimated("costly", ("training.cost_usd", 4e6, None), ("training.co2e_t", 552.1, None)),
        Model.model_validate(
            model("rumoured-v2", released="2023-06-01").model_dump(exclude_none=True)
            | {"version_of": "rumoured"}
        ),
    )
    assert ids(frame) == ["costly", "rumoured", "stated", "variant"]
    rumoured, stated, variant = row(frame, "rumoured"), row(frame, "stated"), row(frame, "variant")
    assert (rumoured["parameters"], rumoured["parameters_kind"]) == (1.8e12, "estimate")
    assert (rumoured["compute"], rumoured["compute_method"]) == (2.1e25, "estimate")
    assert (stated["parameters"], stated["parameters_kind"]) == (7e9, "stated")
    assert (stated["compute"], stated["compute_method"]) == (9e21, "estimate")
    assert (variant["compute"], variant["compute_method"]) == (pytest.approx(8.4e22), "6ND")
    costly = row(frame, "costly")
    assert (costly["cost_usd"], costly["cost_kind"], costly["co2e_t"], costly["co2e_kind"]) == (
        4e6,
        "estimate",
        552.1,
        "estimate",
    )
    assert pd.isna(costly["parameters_kind"]) and math.isnan(costly["parameters"])


@pytest.mark.parametrize(
    ("mode", "parameters", "compute"),
    [
        ("include", {"rumoured": 1.8e12, "stated": 7e9}, {"rumoured": 2.1e25, "stated": 9e21}),
        ("exclude", {"stated": 7e9}, {}),
        ("only", {"rumoured": 1.8e12}, {"rumoured": 2.1e25, "stated": 9e21}),
    ],
)
def test_select_estimates(mode: str, parameters: dict[str, float], compute: dict[str, float]) -> None:
    frame = frame_of(
        _estimated("rumoured", ("parameters", 1.8e12, None), ("training.compute_flop", 2.1e25, None)),
        _estimated("stated", ("training.compute_flop", 9e21, None), parameters=7e9),
    )
    kept = select(frame, Selection(estimates=mode))  # type: ignore[arg-type]
    assert ids(kept) == ["rumoured", "stated"]  # estimates blank values, they do not drop models
    assert kept.dropna(subset=["parameters"]).set_index("id")["parameters"].to_dict() == parameters
    assert kept.dropna(subset=["compute"]).set_index("id")["compute"].to_dict() == compute


@pytest.mark.parametrize(
    ("openness", "expected"),
    [
        ("open-weights", True),
        ("open-weights-restricted", True),
        ("research-only", False),
        ("api-only", False),
        ("closed", False),
        ("unreleased", False),
        (None, False),
    ],
)
def test_open_weights_only_for_downloadable_weights(openness: str | None, expected: bool) -> None:
    frame = frame_of(model("m", openness=openness))
    assert bool(row(frame, "m")["open_weights"]) is expected


def test_organization_facts_come_from_the_first_organization() -> None:
    frame = frame_of(
        model("glm", orgs=["tsinghua", "meta"]),
        model("opt", orgs=["meta", "tsinghua"]),
        model("lone"),
        model("stranger", orgs=["nobody", "meta"]),
    )
    glm = row(frame, "glm")
    assert glm["organization"] == "tsinghua"
    assert (glm["org_kind"], glm["country"]) == ("university", "CN")
    assert (glm["organization_name"], glm["organization_name_zh"]) == ("Tsinghua University", "清华大学")
    assert tuple(glm["organizations"]) == ("tsinghua", "meta")
    opt = row(frame, "opt")
    assert (opt["organization"], opt["org_kind"], opt["country"]) == ("meta", "company", "US")
    assert opt["organization_name_zh"] == "Meta"  # no Chinese name: the English one
    lone = row(frame, "lone")
    assert pd.isna(lone["organization"]) and pd.isna(lone["country"]) and pd.isna(lone["org_kind"])
    stranger = row(frame, "stranger")  # the first organization is not in the mapping
    assert stranger["organization"] == "nobody" and pd.isna(stranger["country"])


def test_domain_is_the_first_and_domains_keeps_all() -> None:
    frame = frame_of(model("clip", domains=["multimodal", "cv"]))
    assert row(frame, "clip")["domain"] == "multimodal"
    assert tuple(row(frame, "clip")["domains"]) == ("multimodal", "cv")


# select


@pytest.fixture
def catalog() -> pd.DataFrame:
    return frame_of(
        model("a", released="2022-02-28", orgs=["meta"], openness="open-weights"),
        model("b", released="2022-03-01", orgs=["google", "deepmind"], openness="api-only"),
        model("c", released="2022-06", domains=["multimodal", "cv"], orgs=["tsinghua"], openness="closed"),
        model("d", released="2022-06-30", domains=["cv"], orgs=["baai"], openness="open-weights-restricted"),
        model("e", released="2022", orgs=["deepmind"], openness="research-only"),
        model("f", released="2022-07-03", orgs=["meta"]),
        model("g", sources=["epoch-notable-ai-models.csv-l148"], orgs=["baai"], openness="open-weights"),
        model("h", released="2023-01-01", sources=["seed", "epochs"], openness="unreleased"),
    )


def test_select_nothing_keeps_everything(catalog: pd.DataFrame) -> None:
    assert ids(select(catalog, Selection())) == list("abcdefgh")


def test_select_since_and_until_are_inclusive(catalog: pd.DataFrame) -> None:
    era = Selection(released_after=dt.date(2022, 3, 1), released_before=dt.date(2022, 7, 2))
    # c is 2022-06, compared as stated (its 1st, as SQL compares it, not the frame's 15th); e is 2022
    # (January 1st as stated: before the era, as `list --released-after 2022-03-01` finds it too); a is
    # a day early, f a day late, g has no date
    assert ids(select(catalog, era)) == ["b", "c", "d"]
    year = Selection(released_after=dt.date(2022, 1, 1), released_before=dt.date(2022, 12, 31))
    assert "e" in ids(select(catalog, year))
    assert ids(select(catalog, Selection(released_after=dt.date(2022, 7, 3)))) == ["f", "h"]
    assert ids(select(catalog, Selection(released_before=dt.date(2022, 2, 28)))) == ["a", "e"]


def test_select_domain_matches_any_domain(catalog: pd.DataFrame) -> None:
    assert ids(select(catalog, Selection(domain="cv"))) == ["c", "d"]
    assert ids(select(catalog, Selection(domain="multimodal"))) == ["c"]
    assert ids(select(catalog, Selection(domain="speech"))) == []


def test_select_organization_matches_any_organization(catalog: pd.DataFrame) -> None:
    assert ids(select(catalog, Selection(organization="deepmind"))) == ["b", "e"]
    assert ids(select(catalog, Selection(organization="meta"))) == ["a", "f"]


def test_select_country_ignores_case(catalog: pd.DataFrame) -> None:
    assert ids(select(catalog, Selection(country="cn"))) == ["c", "d", "g"]
    assert ids(select(catalog, Selection(country="CN"))) == ["c", "d", "g"]
    # any of its organizations' countries, as SQL counts it: b is Google's (US) and DeepMind's (GB)
    assert ids(select(catalog, Selection(country="gb"))) == ["b", "e"]


def test_select_openness(catalog: pd.DataFrame) -> None:
    assert ids(select(catalog, Selection(openness="open"))) == ["a", "d", "g"]
    # "closed" is the catalog's value, as on the models page (it was "not open" in trends: issue 18)
    assert ids(select(catalog, Selection(openness="closed"))) == ["c"]
    assert ids(select(catalog, Selection(openness=("open", "api-only")))) == ["a", "b", "d", "g"]
    assert ids(select(catalog, Selection(openness="api-only"))) == ["b"]
    assert ids(select(catalog, Selection(openness="open-weights"))) == ["a", "g"]


def test_select_unknown_openness_names_the_choices(catalog: pd.DataFrame) -> None:
    with pytest.raises(BadArgument, match="'public'") as caught:
        select(catalog, Selection(openness="public"))
    message = str(caught.value)
    for choice in ("open", "closed", "open-weights", "open-weights-restricted", "api-only", "unreleased"):
        assert choice in message
    assert message.startswith("openness: 'public' is not one of open, not-open, open-weights, ")


def test_select_source_matches_an_id_or_its_hyphenated_prefix(catalog: pd.DataFrame) -> None:
    assert ids(select(catalog, Selection(source="epoch"))) == ["g"]  # not h's "epochs"
    assert ids(select(catalog, Selection(source="epoch-notable-ai-models.csv"))) == ["g"]
    assert ids(select(catalog, Selection(source="epoch-notable-ai-models.csv-l148"))) == ["g"]
    assert ids(select(catalog, Selection(source="epo"))) == []
    assert ids(select(catalog, Selection(source="epochs"))) == ["h"]
    assert ids(select(catalog, Selection(source="seed"))) == list("abcdefh")


def test_notable_is_curated_or_judged_notable_by_a_third_party() -> None:
    """Curated records are notable, and so is a model with a notability judgement (Epoch AI's criteria);
    a model listed in an Epoch export without criteria, or by another import, is not."""
    judged = model("judged", sources=["epoch-all-ai-models.csv-l9"]).model_copy(
        update={
            "notability": [
                Notability(by="Epoch AI", criteria=["Highly cited"], source="epoch-all-ai-models.csv-l9")
            ]
        }
    )
    frame = model_frame(
        [
            model("curated"),
            judged,
            model("unjudged", sources=["epoch-all-ai-models.csv-l10"]),
            model("listed", sources=["bundled-lists-open-llms-l3"]),
        ],
        ORGS,
        curated={"curated", "not-in-the-store"},
    )
    assert frame.set_index("id")["notable"].to_dict() == {
        "curated": True,
        "judged": True,
        "unjudged": False,
        "listed": False,
    }
    assert frame["notable"].dtype == bool
    assert ids(select(frame, Selection(population="notable"))) == ["curated", "judged"]
    assert ids(select(frame, Selection(population="all"))) == ["curated", "judged", "listed", "unjudged"]
    assert ids(select(frame, Selection())) == ["curated", "judged", "listed", "unjudged"]
    assert not frame_of(model("curated"))["notable"].any()  # no curated ids given: nothing is


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        # each filter narrows what the filters before it kept, never replaces it
        (Selection(released_after=dt.date(2022, 6, 20), domain="cv"), ["d"]),
        (Selection(released_after=dt.date(2022, 7, 1), source="seed"), ["f", "h"]),  # e: 2022-01-01
        (Selection(released_after=dt.date(2022, 3, 1), country="US"), ["b", "f"]),
        (Selection(domain="cv", openness="closed"), ["c"]),
        (Selection(organization="meta", released_after=dt.date(2022, 3, 1)), ["f"]),
    ],
)
def test_select_filters_narrow_one_another(
    catalog: pd.DataFrame, selection: Selection, expected: list[str]
) -> None:
    assert ids(select(catalog, selection)) == expected


def test_notable_narrows_the_other_filters() -> None:
    frame = model_frame(
        [
            model("old", released="2019-05-01"),
            model("new", released="2024-05-01"),
            model("other", released="2024-06-01"),
        ],
        ORGS,
        curated={"old", "new"},
    )
    assert ids(select(frame, Selection(population="notable", released_after=dt.date(2020, 1, 1)))) == ["new"]


def test_a_bundled_copy_of_a_dataset_is_selected_by_the_datasets_id() -> None:
    frame = frame_of(model("copy", sources=["bundled-epoch-notable-ai-models.csv-l27"]), model("own"))
    for wanted in ("epoch", "epoch-notable-ai-models.csv", "bundled-epoch-notable-ai-models.csv"):
        assert ids(select(frame, Selection(source=wanted))) == ["copy"], wanted
    assert ids(select(frame, Selection(source="bundled"))) == ["copy"]
    assert ids(select(frame, Selection(source="notable-ai-models.csv"))) == []


def test_an_empty_frame_has_every_column_and_a_boolean_notable() -> None:
    empty = model_frame([], ORGS)
    assert {"id", "released", "compute", "notable", "base_models", "active_parameters"} <= set(empty.columns)
    assert empty["notable"].dtype == bool and empty["compute"].dtype == "float64"
    assert select(empty, Selection(population="notable")).empty


def test_active_parameters_and_base_models_are_columns() -> None:
    moe = model("moe", parameters=47e9, bases=[("base", "fine-tune"), ("other", "distill")])
    moe = moe.model_copy(update={"parameters": moe.parameters.model_copy(update={"active": 13e9})})  # type: ignore[union-attr]
    got = row(frame_of(moe), "moe")
    assert (got["parameters"], got["active_parameters"]) == (47e9, 13e9)
    assert tuple(got["base_models"]) == ("base", "other")


def test_select_combines_filters_and_returns_a_copy(catalog: pd.DataFrame) -> None:
    chosen = select(catalog, Selection(country="US", openness="api-only", released_after=dt.date(2022, 3, 1)))
    assert ids(chosen) == ["b"]
    chosen["name"] = "changed"
    assert row(catalog, "b")["name"] == "B"


# timeline


@pytest.fixture
def quarters() -> pd.DataFrame:
    return frame_of(
        model("n1", released="2022-01-10", domains=["nlp"], orgs=["meta"]),
        model("n2", released="2022-03", domains=["nlp"], orgs=["google"]),
        model("c1", released="2022-02-01", domains=["cv", "nlp"], orgs=["meta"]),
        model("n3", released="2022-08-31", domains=["nlp"]),
        model("undated", domains=["nlp"]),
    )


def test_quarterly_releases_fill_an_empty_quarter_with_zero(quarters: pd.DataFrame) -> None:
    table = releases(quarters, freq="quarter", by="domain")
    assert list(table.columns) == ["period", "group", "count"]
    assert list(table.itertuples(index=False, name=None)) == [
        ("2022Q1", "cv", 1),
        ("2022Q1", "nlp", 2),
        ("2022Q2", "cv", 0),
        ("2022Q2", "nlp", 0),
        ("2022Q3", "cv", 0),
        ("2022Q3", "nlp", 1),
    ]
    assert table["count"].dtype == "int64"


def test_releases_without_grouping_and_by_month_and_year(quarters: pd.DataFrame) -> None:
    overall = releases(quarters, freq="quarter", by=None)
    assert list(overall.itertuples(index=False, name=None)) == [
        ("2022Q1", "all", 3),
        ("2022Q2", "all", 0),
        ("2022Q3", "all", 1),
    ]
    months = releases(quarters, freq="month", by=None)
    assert list(months["period"]) == [f"2022-{m:02d}" for m in range(1, 9)]
    assert list(months["count"]) == [1, 1, 1, 0, 0, 0, 0, 1]
    years = releases(quarters, freq="year", by="organization")
    assert list(years.itertuples(index=False, name=None)) == [
        ("2022", "google", 1),
        ("2022", "meta", 2),
        ("2022", "unknown", 1),
    ]


def test_releases_of_nothing_is_empty() -> None:
    table = releases(frame_of(model("undated")), freq="year", by=None)
    assert table.empty and list(table.columns) == ["period", "group", "count"]


def test_releases_rejects_unknown_period_or_column(quarters: pd.DataFrame) -> None:
    with pytest.raises(BadArgument, match="'week'"):
        releases(quarters, freq="week")  # type: ignore[arg-type]
    with pytest.raises(BadArgument, match="'colour'"):
        releases(quarters, by="colour")


def test_newest_is_newest_first_with_ties_by_id() -> None:
    frame = frame_of(
        model("old", released="2021-01-01"),
        model("zeta", released="2023-05-01"),
        model("alpha", released="2023-05-01"),
        model("mid", released="2022-12"),
        model("undated"),
    )
    assert list(newest(frame, 3)["id"]) == ["alpha", "zeta", "mid"]
    assert list(newest(frame)["id"]) == ["alpha", "zeta", "mid", "old"]
    assert list(newest(frame, 1).columns) == [
        "id",
        "name",
        "released",
        "date_precision",
        "domain",
        "organization_name",
        "parameters",
    ]
    with pytest.raises(BadArgument):
        newest(frame, 0)


def test_between_is_inclusive_and_oldest_first() -> None:
    frame = frame_of(
        model("before", released="2022-12-31"),
        model("first", released="2023-01-01"),
        model("b-mid", released="2023-02"),
        model("a-mid", released="2023-02-15"),
        model("last", released="2023-03-31"),
        model("after", released="2023-04-01"),
        model("undated"),
    )
    inside = between(frame, dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    assert list(inside["id"]) == ["first", "a-mid", "b-mid", "last"]
    assert list(between(frame, dt.date(2023, 4, 1), dt.date(2023, 4, 1))["id"]) == ["after"]
    with pytest.raises(BadArgument, match="before the start"):
        between(frame, dt.date(2023, 3, 31), dt.date(2023, 1, 1))


# shares


def test_open_share_per_year_leaves_out_unknown_openness() -> None:
    frame = frame_of(
        model("a", released="2021-02-01", openness="open-weights"),
        model("b", released="2021-05-01", openness="api-only"),
        model("c", released="2021-06-01"),  # unknown: in neither count
        model("d", released="2021-09-01", openness="closed"),
        model("e", released="2021-11-01", openness="open-weights-restricted"),
        model("f", released="2022-03-01"),  # a year of unknowns only: no row
        model("g", released="2023-01-01", openness="open-weights"),
        model("h", released="2023-07", openness="open-weights"),
        model("i", released="2024", openness="research-only"),
    )
    table = open_share(frame, freq="year")
    assert list(table.columns) == ["period", "n", "open", "share"]
    assert list(table["period"]) == ["2021", "2023", "2024"]
    assert list(table["n"]) == [4, 2, 1]
    assert list(table["open"]) == [2, 2, 0]
    assert list(table["share"]) == [0.5, 1.0, 0.0]


def test_open_share_with_no_open_model_at_all() -> None:
    frame = frame_of(
        model("a", released="2021-02-01", openness="closed"),
        model("b", released="2021-05-01", openness="api-only"),
    )
    table = open_share(frame, freq="quarter")
    assert list(table.itertuples(index=False, name=None)) == [("2021Q1", 1, 0, 0.0), ("2021Q2", 1, 0, 0.0)]


def test_share_by_country_sums_to_one_per_period() -> None:
    frame = frame_of(
        model("a", released="2021-02-01", orgs=["meta"]),
        model("b", released="2021-05-01", orgs=["google"]),
        model("c", released="2021-06-01", orgs=["tsinghua"]),
        model("d", released="2021-09-01"),
        model("e", released="2023-01-01", orgs=["baai"]),
        model("f", released="2023-07-01", orgs=["deepmind"]),
    )
    table = share_by(frame, "country", freq="year")
    assert list(table.itertuples(index=False, name=None)) == [
        ("2021", "CN", 1, 0.25),
        ("2021", "US", 2, 0.5),
        ("2021", "unknown", 1, 0.25),
        ("2023", "CN", 1, 0.5),
        ("2023", "GB", 1, 0.5),
    ]
    sums = table.groupby("period")["share"].sum()
    assert sums.to_dict() == {"2021": pytest.approx(1.0), "2023": pytest.approx(1.0)}
    assert "2022" not in set(table["period"])  # the empty year has no share rows


# leaderboard


@pytest.fixture
def labs() -> pd.DataFrame:
    return frame_of(
        model("palm", name="PaLM", orgs=["google"], parameters=540e9, compute=2.5e24),
        model("chinchilla", name="Chinchilla", orgs=["deepmind"], parameters=70e9, tokens=1.4e12),
        model("gemini", name="Gemini", orgs=["google", "deepmind"], compute=5e25),
        model("llama-65b", name="LLaMA-65B", orgs=["meta"], parameters=65e9, tokens=1.4e12),
        model("llama-7b", name="LLaMA-7B", orgs=["meta"], parameters=7e9, tokens=1e12),
        model("opt", name="OPT-175B", orgs=["meta"], parameters=175e9),
        model("glm-mini", name="GLM mini", orgs=["tsinghua"]),
        model("orphan", name="Orphan", parameters=1e12),
    )


def test_leaderboard_by_models_counts_joint_models_for_each(labs: pd.DataFrame) -> None:
    table = organizations(labs, by="models")
    assert list(table.columns) == [
        "organization",
        "models",
        "largest_parameters",
        "largest_model",
        "largest_compute",
    ]
    assert list(zip(table["organization"], table["models"], strict=True)) == [
        ("meta", 3),
        ("deepmind", 2),  # chinchilla and the joint gemini; ties broken by name
        ("google", 2),
        ("tsinghua", 1),
    ]
    assert list(organizations(labs, by="models", n=2)["organization"]) == ["meta", "deepmind"]


def test_leaderboard_by_largest_model(labs: pd.DataFrame) -> None:
    table = organizations(labs, by="largest")
    assert list(table["organization"]) == ["google", "meta", "deepmind", "tsinghua"]
    assert list(table["largest_parameters"].iloc[:3]) == [540e9, 175e9, 70e9]
    assert list(table["largest_model"].iloc[:3]) == ["PaLM", "OPT-175B", "Chinchilla"]
    assert math.isnan(table["largest_parameters"].iloc[3]) and pd.isna(table["largest_model"].iloc[3])


def test_leaderboard_by_largest_training_run(labs: pd.DataFrame) -> None:
    table = organizations(labs, by="compute")
    assert list(table["organization"]) == ["deepmind", "google", "meta", "tsinghua"]
    assert list(table["largest_compute"].iloc[:3]) == pytest.approx([5e25, 5e25, 6 * 65e9 * 1.4e12])


def test_leaderboard_rejects_unknown_ranking(labs: pd.DataFrame) -> None:
    with pytest.raises(BadArgument, match="'size'"):
        organizations(labs, by="size")  # type: ignore[arg-type]
    with pytest.raises(BadArgument):
        organizations(labs, n=0)


# lineage


@pytest.fixture
def family() -> list[Model]:
    return [
        model("freedomgpt", released="2023-04", bases=[("alpaca", "fine-tune")]),  # before its base
        model("llama", name="LLaMA", released="2023-02-24", parameters=65e9),
        model("alpaca", name="Alpaca", released="2023-03-13", bases=[("llama", "instruction-tune")]),
        model("vicuna", name="Vicuna", released="2023-03-30", bases=[("llama", "fine-tune")]),
        model("chatglm-med", released="2023-04", bases=[("chatglm-6b", "fine-tune")]),
    ]


def test_lineage_graph_nodes_and_edges(family: list[Model]) -> None:
    graph = lineage_graph(family)
    assert set(graph.nodes) == {"llama", "alpaca", "freedomgpt", "vicuna", "chatglm-med", "chatglm-6b"}
    assert set(graph.edges) == {
        ("llama", "alpaca"),
        ("alpaca", "freedomgpt"),
        ("llama", "vicuna"),
        ("chatglm-6b", "chatglm-med"),
    }
    assert graph.edges["llama", "alpaca"]["relation"] == "instruction-tune"
    assert graph.edges["llama", "alpaca"]["method"] == ""
    assert graph.nodes["chatglm-6b"]["known"] is False
    assert graph.nodes["chatglm-6b"]["name"] == "chatglm-6b"
    # alpaca was first met as freedomgpt's base, then as a model: it is known
    alpaca = {"name": "Alpaca", "released": "2023-03-13", "parameters": 0, "known": True}
    assert graph.nodes["alpaca"] == alpaca
    assert graph.nodes["llama"]["parameters"] == 65_000_000_000
    assert graph.nodes["freedomgpt"]["released"] == "2023-04"


def test_descendants_ancestors_and_depth(family: list[Model]) -> None:
    graph = lineage_graph(family)
    assert descendants(graph, "llama") == {"alpaca", "freedomgpt", "vicuna"}
    assert descendants(graph, "alpaca") == {"freedomgpt"}
    assert descendants(graph, "vicuna") == set()
    assert ancestors(graph, "freedomgpt") == {"alpaca", "llama"}
    assert ancestors(graph, "llama") == set()
    assert ancestors(graph, "chatglm-med") == {"chatglm-6b"}
    names = ("llama", "alpaca", "freedomgpt", "vicuna", "chatglm-6b")
    assert [depth(graph, m) for m in names] == [0, 1, 2, 1, 0]


def test_depth_takes_the_furthest_root() -> None:
    graph = lineage_graph(
        [
            model("root"),
            model("mid", bases=[("root", "fine-tune")]),
            model("merged", bases=[("mid", "merge"), ("other", "merge")]),
        ]
    )
    assert depth(graph, "merged") == 2
    assert ancestors(graph, "merged") == {"mid", "root", "other"}


def test_most_built_on_orders_by_total_then_direct_then_id(family: list[Model]) -> None:
    table = most_built_on(lineage_graph(family))
    assert list(table.itertuples(index=False, name=None)) == [
        ("llama", "LLaMA", 2, 3),
        ("alpaca", "Alpaca", 1, 1),
        ("chatglm-6b", "chatglm-6b", 1, 1),
    ]
    assert list(most_built_on(lineage_graph(family), n=1)["id"]) == ["llama"]


def test_lineage_unknown_id_is_not_found(family: list[Model]) -> None:
    graph = lineage_graph(family)
    for query in (descendants, ancestors, depth):
        with pytest.raises(NotFound, match="'gpt-5'"):
            query(graph, "gpt-5")


def test_graphml_reads_back_with_the_same_edges(family: list[Model], tmp_path: Path) -> None:
    graph = lineage_graph(family)
    path = tmp_path / "lineage.graphml"
    to_graphml(graph, path)
    back = nx.read_graphml(path)
    assert back.is_directed()
    assert set(back.edges) == set(graph.edges)
    assert set(back.nodes) == set(graph.nodes)
    assert back.edges["alpaca", "freedomgpt"]["relation"] == "fine-tune"
    assert back.nodes["chatglm-6b"]["known"] is False
    assert back.nodes["llama"]["parameters"] == 65_000_000_000


def test_json_round_trips(family: list[Model]) -> None:
    graph = lineage_graph(family)
    data = json.loads(json.dumps(to_json(graph)))
    assert {"nodes", "edges"} <= set(data)
    assert len(data["nodes"]) == 6 and len(data["edges"]) == 4
    back = json_graph.node_link_graph(data, edges="edges")
    assert back.is_directed()
    assert set(back.edges) == set(graph.edges)
    assert dict(back.nodes(data=True)) == dict(graph.nodes(data=True))
    assert back.edges["llama", "vicuna"] == {"relation": "fine-tune", "method": ""}


# estimates


def test_training_compute_is_6nd() -> None:
    estimate = training_compute(7e9, 1e12)
    assert estimate.value == 4.2e22
    assert estimate.unit == "FLOP"
    assert "6ND" in estimate.method
    assert estimate.inputs == {"parameters": 7e9, "tokens": 1e12}


def test_carbon_of_gpt3_matches_patterson() -> None:
    estimate = carbon(10_000 * 14.8 * 24, 330, pue=1.1, kg_per_kwh=0.429)
    assert estimate.co2e_t == pytest.approx(552.1, rel=0.005)
    assert estimate.energy_mwh == pytest.approx(1287, rel=0.005)
    assert estimate.inputs["accelerator_hours"] == pytest.approx(3_552_000)
    assert carbon(10_000 * 14.8 * 24, 330) == estimate  # the defaults are Patterson's


def test_carbon_of_llama_13b_and_the_ratio_to_gpt3() -> None:
    llama = carbon(135_168, 400, pue=1.1, kg_per_kwh=0.385)
    assert round(llama.co2e_t) == 23
    assert llama.energy_mwh == pytest.approx(135_168 * 0.4 * 1.1 / 1000)
    gpt3 = carbon(10_000 * 14.8 * 24, 330, pue=1.1, kg_per_kwh=0.429)
    assert round(gpt3.co2e_t / llama.co2e_t) == 24  # the seed's "1/24"
    assert gpt3.co2e_t / llama.co2e_t == pytest.approx(24, rel=0.02)


def test_published_runs_agree_with_the_formula() -> None:
    assert [run.model for run in PUBLISHED_RUNS] == ["GPT-3", "LLaMA-13B"]
    for run in PUBLISHED_RUNS:
        assert run.estimate().co2e_t == pytest.approx(run.published_co2e_t, rel=0.005), run.model


@pytest.mark.parametrize(
    "call",
    [
        lambda: training_compute(0, 1e12),
        lambda: training_compute(7e9, -1),
        lambda: training_compute(float("nan"), 1e12),
        lambda: carbon(0, 330),
        lambda: carbon(1000, -330),
        lambda: carbon(1000, 330, pue=0),
        lambda: carbon(1000, 330, kg_per_kwh=-0.1),
    ],
)
def test_non_positive_inputs_are_rejected(call: Any) -> None:
    with pytest.raises(BadArgument, match="must be a positive number"):
        call()
