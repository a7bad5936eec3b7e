"""`modelatlas trends` and `modelatlas report` on Epoch AI's notable models, imported through the importer."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from cli_runner import run
from modelatlas.cli import main
from modelatlas.report import charts
from modelatlas.report.images import FONT_DIR, to_png

NOTABLE = Path(__file__).parent / "fixtures" / "epoch" / "notable_ai_models_2026-07.csv"
#: Four rows of the all-models export: one makes a model Epoch does not judge notable (LLaMA-7B tuned
#: for proteins), the others merge into models already there or are skipped.
ALL = Path(__file__).parent / "fixtures" / "epoch" / "all_ai_models.csv"
#: Epoch AI, "Training compute of frontier AI models grows by 4-5x per year" (May 2024): notable models,
#: 2010 to May 2024, 4.1x a year, 90% CI 3.7x to 4.6x.
EPOCH_PUBLISHED_CI = (3.7, 4.6)


@pytest.fixture(scope="module")
def epoch_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled catalog plus Epoch AI's notable models (a July 2026 export) and four rows of its
    all-models export, imported once."""
    url = f"sqlite:///{tmp_path_factory.mktemp('epoch') / 'store.db'}"
    for argv in (
        ["build", "--curated-only", "--db", url],
        ["import", "epoch", str(NOTABLE), "--db", url],
        ["import", "epoch", str(ALL), "--db", url],
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code in (0, None)
    return url


def test_compute_doubling_of_notable_models_since_2010(
    capsys: pytest.CaptureFixture[str], epoch_store: str
) -> None:
    args = ("trends", "--metric", "compute", "--since", "2010", "--source", "epoch", "--db", epoch_store)
    code, out, err = run(capsys, *args, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["metric"] == "compute"
    assert result["n"] > 400
    low, high = result["ci90"]
    assert low < result["growth_per_year"] < high
    # our interval overlaps the one Epoch AI publishes for the same models and period
    assert low < EPOCH_PUBLISHED_CI[1] and high > EPOCH_PUBLISHED_CI[0]
    assert 5.0 < result["doubling_months"] < 6.5
    assert result["doubling_ci90"][0] < result["doubling_months"] < result["doubling_ci90"][1]
    assert result["selection"] == {
        "released_after": "2010-01-01",
        "since": "2010-01-01",  # the name before issue 18, kept
        "source": "epoch",
        "estimates": "include",
        "population": "notable",
    }
    assert result["start"] >= "2010-01-01"


def test_table_prints_the_headline_in_chinese(capsys: pytest.CaptureFixture[str], epoch_store: str) -> None:
    code, out, _ = run(
        capsys, "trends", "-m", "compute", "--since", "2010", "--db", epoch_store, "--lang", "zh"
    )
    assert code == 0
    headline = out.splitlines()[0]
    assert re.search(
        r"训练算力：2010-\d\d-\d\d 至 \d{4}-\d\d-\d\d 发布的 \d+ 个重要模型，每年增长 4\.\d\d 倍", headline
    )
    assert "翻一番" in headline and "90% 置信区间" in out


def test_trends_count_notable_models_unless_asked_for_all(
    capsys: pytest.CaptureFixture[str], epoch_store: str
) -> None:
    """The one imported model Epoch does not judge notable (LLaMA-7B tuned for proteins, 6.7B, 2023)
    is fitted only with --population all; the headline and the table say which models were fitted."""
    args = ("trends", "-m", "parameters", "--since", "2015", "--db", epoch_store)

    def fitted(*extra: str) -> dict[str, object]:
        code, out, err = run(capsys, *args, "-f", "json", *extra)
        assert code == 0, err
        return dict(json.loads(out))

    notable, everything = fitted(), fitted("--population", "all")
    assert fitted("--population", "notable") == notable
    assert everything["n"] == int(notable["n"]) + 1  # type: ignore[call-overload]
    assert (notable["selection"]["population"], everything["selection"]["population"]) == (  # type: ignore[index]
        "notable",
        "all",
    )
    _, out, _ = run(capsys, *args)
    assert re.match(r"Parameters of \d+ notable models released 2015-", out)
    assert "│ notable │" in out
    _, out, _ = run(capsys, *args, "--population", "all")
    assert re.match(r"Parameters of \d+ models released 2015-", out) and "│ all " in out
    _, out, _ = run(capsys, *args, "--lang", "zh")
    assert "个重要模型" in out and "│ 重要模型 │" in out
    code, _, err = run(capsys, *args, "--population", "famous")
    assert code == 2 and "famous" in err


def test_frontier_eras_and_periods(capsys: pytest.CaptureFixture[str], epoch_store: str) -> None:
    base = ("trends", "-m", "parameters", "--db", epoch_store, "-f", "json")
    _, out, _ = run(capsys, *base, "--since", "2010", "--frontier")
    frontier = json.loads(out)
    assert frontier["frontier"] is True and 5 < frontier["n"] < 60
    _, out, _ = run(capsys, *base, "--breaks", "2")
    eras = json.loads(out)["breakpoints"]
    assert len(eras["breaks"]) == 2 and len(eras["segments"]) == 3
    assert eras["segments"][0]["end"] < eras["breaks"][0] <= eras["segments"][1]["start"]
    _, out, _ = run(capsys, *base, "--periods", "2010,2018,2026")
    periods = json.loads(out)["periods"]
    assert [p["start"][:4] for p in periods] == ["2010", "2018"]
    assert periods[1]["growth_per_year"] > periods[0]["growth_per_year"]
    code, out, _ = run(capsys, *base[:-2], "--since", "2018", "-f", "csv")
    assert code == 0 and out.splitlines()[0].startswith("scope,n,start,end,growth_per_year")


def test_filters_narrow_the_fit(capsys: pytest.CaptureFixture[str], epoch_store: str) -> None:
    def n(*extra: str) -> int:
        code, out, err = run(capsys, "trends", "--db", epoch_store, "-f", "json", "--since", "2015", *extra)
        assert code == 0, err
        return int(json.loads(out)["n"])

    everything = n()
    assert n("--domain", "nlp") < everything
    # "not-open" is every other model (what trends called "closed" before issue 18); "closed" is the
    # catalog's value, as on the models page and in the API, a part of it
    assert n("--openness", "open") + n("--openness", "not-open") == everything
    assert 0 < n("--openness", "closed") < n("--openness", "not-open")
    assert n("--country", "cn") < n("--country", "US")


def test_bad_input_is_one_line_and_a_nonzero_exit(
    capsys: pytest.CaptureFixture[str], epoch_store: str, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "trends", "--domain", "chemistry", "--db", epoch_store)
    assert (
        code == 2
        and err.startswith("Error: --domain: 'chemistry' is not one of nlp, cv,")
        and len(err.splitlines()) == 1
    )
    code, _, err = run(capsys, "trends", "--metric", "flops", "--db", epoch_store)
    assert code == 2 and "flops" in err
    code, _, err = run(capsys, "trends", "-m", "cost", "--since", "2030", "--db", epoch_store)
    assert (
        code == 1
        and err == "Error: a cost trend needs at least 3 models with a release date and cost: none\n"
    )
    code, _, err = run(capsys, "trends", "--breaks", "7", "--db", epoch_store)
    assert code == 2 and "--breaks '7'" in err
    code, _, err = run(capsys, "trends", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 1 and "modelatlas build" in err


def test_report_into_a_file_is_one_line_error_and_leaves_the_file(
    capsys: pytest.CaptureFixture[str], epoch_store: str, tmp_path: Path
) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    code, out, err = run(capsys, "report", "--out", str(taken), "--db", epoch_store)
    assert code == 1 and out == ""
    assert err.startswith(f"Error: cannot write the report into {taken}:") and len(err.splitlines()) == 1
    assert taken.read_text() == "mine"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_writes_markdown_html_charts_and_data(
    capsys: pytest.CaptureFixture[str], epoch_store: str, tmp_path: Path, lang: str
) -> None:
    out_dir = tmp_path / "report"
    code, out, err = run(capsys, "report", "--out", str(out_dir), "--db", epoch_store, "--lang", lang)
    assert code == 0, err
    assert "report.md" in out
    markdown = (out_dir / "report.md").read_text()
    html = (out_dir / "report.html").read_text()
    heading = "## 2010 年以来的增长" if lang == "zh" else "## Growth since 2010"
    assert heading in markdown
    counted = "本报告统计重要模型" if lang == "zh" else "The report counts the notable models"
    assert counted in markdown and ("个重要模型" if lang == "zh" else " notable models released ") in markdown
    names = ["growth-parameters", "growth-compute", "releases", "open-share", "lineage"]
    for name in names:
        png = (out_dir / "charts" / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000, name
        assert f"charts/{name}.png" in markdown
        assert base64.b64encode(png).decode()[:200] in html  # embedded: the HTML stands alone
        assert (out_dir / "charts" / f"{name}.svg").read_text().startswith("<svg")
    assert "<script" not in html and "http" not in html.split("<footer>")[0]
    growth = json.loads((out_dir / "data" / "growth.json").read_text())
    assert {fit["metric"] for fit in growth} >= {"parameters", "compute"}
    lineage = json.loads((out_dir / "data" / "lineage.json").read_text())
    assert {"source": "llama", "target": "alpaca"}.items() <= next(
        e for e in lineage["edges"] if e["target"] == "alpaca"
    ).items()
    assert "<graphml" in (out_dir / "data" / "lineage.graphml").read_text()
    assert (out_dir / "report.html").stat().st_mode & 0o044 == 0o044  # readable by others, like any new file
    assert "552.1" in markdown  # GPT-3's stated emissions and the recomputed estimate


def test_chinese_text_renders_as_distinct_glyphs_not_boxes() -> None:
    """Boxes for missing glyphs look alike: two titles of different characters would draw the same image."""
    import altair as alt

    def drawn(title: str) -> bytes:
        chart = alt.Chart(alt.InlineData(values=[{"x": 1}]), title=title).mark_point().encode(x="x:Q")
        return to_png(chart, scale=1)

    assert drawn("参数量增长") != drawn("训练算力翻")
    assert drawn("参数量增长") == drawn("参数量增长")
    assert any(FONT_DIR.glob("*.otf")) and charts.FONT == "Noto Sans SC Subset"


@pytest.mark.parametrize(("mode", "n"), [("include", 475), ("only", 469), ("exclude", 6)])
def test_estimates_option_keeps_or_drops_estimated_compute(
    capsys: pytest.CaptureFixture[str], epoch_store: str, mode: str, n: int
) -> None:
    """Every Epoch compute figure is Epoch's estimate, and a catalog model with a stated size and token
    count but no stated compute gets a 6·N·D estimate: ``only`` fits those (469), ``exclude`` only the
    six figures the catalog states (Falcon 180B's paper among them), ``include`` both."""
    args = ("trends", "-m", "compute", "--since", "2010", "--db", epoch_store, "--format", "json")
    code, out, err = run(capsys, *args, "--estimates", mode)
    assert code == 0, err
    result = json.loads(out)
    assert (result["n"], result["selection"]["estimates"]) == (n, mode)
