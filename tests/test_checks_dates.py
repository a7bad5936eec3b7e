"""The date checks: each trips on a record that is wrong and stays quiet on one that is right."""

from __future__ import annotations

import datetime as dt

from modelatlas.checks.dates import arxiv_month
from tests.checks_support import findings, subject


def test_arxiv_month_reads_new_and_old_ids() -> None:
    assert arxiv_month("2106.04803") == dt.date(2021, 6, 1)
    assert arxiv_month("cs/0601001") == dt.date(2006, 1, 1)
    assert arxiv_month("hep-th/9901001") == dt.date(1999, 1, 1)
    assert arxiv_month("2113.00001") is None


def test_release_years_before_the_arxiv_month_is_an_error() -> None:
    # seed 004 dates CoAtNet 2012; its paper 2106.04803 was submitted in June 2021
    coatnet = subject(id="coatnet", name="CoAtNet", released="2012", papers=[{"arxiv": "2106.04803"}])
    (found,) = findings("dates.arxiv", [coatnet])
    assert found.severity.name == "error"
    assert found.line == 5 and found.field == "released"
    assert "2106.04803" in found.evidence and "2021-06" in found.evidence


def test_release_months_before_the_paper_warns_and_a_close_one_passes() -> None:
    early = subject(released="2022-02", papers=[{"arxiv": "2211.05100"}])
    (found,) = findings("dates.arxiv", [early])
    assert found.severity.name == "warning"
    bloom = subject(released="2022-07", papers=[{"arxiv": "2211.05100"}])  # BLOOM: weights, then the paper
    assert findings("dates.arxiv", [bloom]) == []


def test_release_years_after_the_newest_paper_warns() -> None:
    late = subject(released="2025-01", papers=[{"arxiv": "1706.03762"}])
    (found,) = findings("dates.arxiv", [late])
    assert "after its newest paper" in found.message
    assert findings("dates.arxiv", [subject(released="2019-01", papers=[{"arxiv": "1706.03762"}])]) == []


def test_paper_year_before_its_arxiv_id() -> None:
    wrong = subject(papers=[{"arxiv": "2201.11990", "year": 2021}])
    (found,) = findings("dates.paper_year", [wrong])
    assert found.field == "papers.year"
    assert findings("dates.paper_year", [subject(papers=[{"arxiv": "2201.11990", "year": 2022}])]) == []


def test_future_dates() -> None:
    (found,) = findings("dates.future", [subject(released="2027-03")])
    assert "future" in found.message
    assert findings("dates.future", [subject(released="2026-11")]) == []  # the month has begun


def test_announced_after_released() -> None:
    (found,) = findings("dates.order", [subject(announced="2023-05", released="2023-03-14")])
    assert found.field == "announced"
    assert findings("dates.order", [subject(announced="2023-03", released="2023-03-14")]) == []


def test_derivative_released_before_its_base() -> None:
    llama = subject(id="llama", name="LLaMA", released="2023-02-24")
    early = subject(
        id="alpaca",
        name="Alpaca",
        released="2022-03",
        base_models=[{"model": "llama", "relation": "fine-tune"}],
    )
    (found,) = findings("dates.lineage", [llama, early])
    assert found.model == "alpaca" and "llama" in found.message
    right = subject(
        id="alpaca",
        name="Alpaca",
        released="2023-03",
        base_models=[{"model": "llama", "relation": "fine-tune"}],
    )
    assert findings("dates.lineage", [llama, right]) == []
