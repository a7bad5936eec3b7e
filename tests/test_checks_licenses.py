"""The licence checks, and the normaliser they share: free text to SPDX ids."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from modelatlas.checks import Subject
from modelatlas.checks.licenses import family, spdx
from tests.checks_support import findings, subject


def row(line: int = 7, origin: str = "paper-table:list.md", **fields: Any) -> Subject:
    """``subject(**fields)`` as a row of an input file, at ``line``."""
    return replace(subject(**fields), origin=origin, path=Path(origin.split(":")[1]), node=None, line=line)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Apache 2.0", ("Apache-2.0",)),
        ("apache-2.0", ("Apache-2.0",)),
        ("Apache License, Version 2.0", ("Apache-2.0",)),
        ("cc-by-nc-4.0", ("CC-BY-NC-4.0",)),
        ("CC BY-SA-4.0", ("CC-BY-SA-4.0",)),
        ("Apache 2.0, CC BY-SA-3.0", ("Apache-2.0", "CC-BY-SA-3.0")),
        ("GPL-3.0 (inference code)", ("GPL-3.0-only",)),
        (
            "MIT (code); CreativeML Open RAIL++-M (weights)",
            ("MIT", "LicenseRef-CreativeML-OpenRAIL-PlusPlus-M"),
        ),
        ("Llama 2 Community License", ("LicenseRef-scancode-llama-2-license-2023",)),
        ("llama2", ("LicenseRef-scancode-llama-2-license-2023",)),
        ("BigScience RAIL License v1.0", ("LicenseRef-scancode-bigscience-rail-1.0",)),
        (
            "Apache-2.0 (code); ChatGLM-6B Model License (weights, MODEL_LICENSE)",
            ("Apache-2.0", "LicenseRef-ChatGLM-Model-License"),
        ),
        ("CC-BY-NC-4.0 (weights); GPT-J base Apache-2.0", ("CC-BY-NC-4.0", "Apache-2.0")),
    ],
)
def test_known_licences_normalise_to_spdx_ids(text: str, ids: tuple[str, ...]) -> None:
    found = spdx(text)
    assert found.ids == ids and found.unknown == ()
    assert found.expression == " AND ".join(ids)


def test_qualified_and_free_text_licences_stay_unknown() -> None:
    assert spdx("Modified MIT License").unknown == ("Modified MIT License",)
    assert spdx("Apache 2.0 with usage restriction inherited from BLOOM").ids == ()
    mixed = spdx("GPL-3.0 (inference code); non-commercial bespoke license (weights)")
    assert mixed.ids == ("GPL-3.0-only",) and mixed.unknown == ("non-commercial bespoke license",)
    assert spdx("可商用").unknown == ("可商用",)


def test_scopes_and_non_commercial_parts() -> None:
    parts = spdx("CC-BY-SA-4.0 (base models); CC-BY-NC-SA-4.0 (tuned models); Apache-2.0 (code)").parts
    assert [(p.scope, p.weights, p.noncommercial) for p in parts] == [
        ("base models", True, False),
        ("tuned models", True, True),
        ("code", False, False),
    ]
    assert spdx("OPT-175B License Agreement (non-commercial research)").parts[0].noncommercial


def test_families_put_versions_and_rail_licences_together() -> None:
    assert family("GPL-3.0-only") == family("GPL-1.0-or-later") == "GPL"
    assert family("LicenseRef-OpenRAIL-M") == family("LicenseRef-scancode-bigscience-rail-1.0") == "RAIL"
    assert family("LicenseRef-scancode-llama-2-license-2023") != family(
        "LicenseRef-scancode-llama-license-2023"
    )


# licenses.spdx


def test_an_unknown_licence_is_listed() -> None:
    (found,) = findings("licenses.spdx", [subject(license="Custom Free with usage restrictions")])
    assert found.severity.name == "info" and found.field == "license"
    assert "'Custom Free with usage restrictions' is not an SPDX licence" in found.message
    assert found.evidence == "license: 'Custom Free with usage restrictions'; SPDX: -"


def test_a_known_licence_is_not() -> None:
    assert (
        findings("licenses.spdx", [subject(license="MIT (code); CreativeML Open RAIL++-M (weights)")]) == []
    )


# licenses.openness

HF = {"huggingface": ["org/model"]}


def test_open_weights_without_a_weights_link() -> None:
    record = subject(openness="open-weights")
    (found,) = findings("licenses.openness", [record])
    assert found.severity.name == "warning" and found.field == "openness"
    assert found.line == record.line_at(("openness",))
    assert found.message == "openness open-weights but no weights are linked"
    with_variant = subject(openness="open-weights", variants=[{"name": "M-7B", "weights": ["org/m-7b"]}])
    assert findings("licenses.openness", [with_variant]) == []


def test_a_port_runs_its_base_models_weights() -> None:
    whisper = subject(id="whisper", name="Whisper", openness="open-weights", weights=HF)
    port = subject(
        id="whisper-jax",
        name="Whisper JAX",
        openness="open-weights",
        base_models=[{"model": "whisper", "relation": "port"}],
    )
    assert findings("licenses.openness", [whisper, port]) == []


def test_an_input_that_links_no_weights_is_not_asked_for_them() -> None:
    epoch = [row(i, origin="epoch:all.csv", id=f"m{i}", openness="open-weights") for i in range(3)]
    assert findings("licenses.openness", epoch) == []


def test_open_weights_under_a_non_commercial_licence() -> None:
    license = "Apache-2.0 (code); CC-BY-NC-4.0 (weights)"
    (found,) = findings("licenses.openness", [subject(openness="open-weights", weights=HF, license=license)])
    assert "non-commercial (CC-BY-NC-4.0 (weights))" in found.message
    assert found.evidence == f"license: {license!r}; openness: open-weights"
    restricted = subject(openness="open-weights-restricted", weights=HF, license="CC-BY-NC-SA-4.0")
    code_only = subject(openness="open-weights", weights=HF, license="MIT (weights); CC-BY-NC-4.0 (data)")
    # StableLM: the base weights are CC-BY-SA, only the tuned ones non-commercial: open weights
    stablelm = "CC-BY-SA-4.0 (base models); CC-BY-NC-SA-4.0 (tuned models); Apache-2.0 (code)"
    mixed = subject(openness="open-weights", weights=HF, license=stablelm)
    assert findings("licenses.openness", [restricted, code_only, mixed]) == []


def test_closed_with_weights_linked() -> None:
    (found,) = findings("licenses.openness", [subject(openness="api-only", weights=HF)])
    assert found.field == "weights" and found.evidence == "openness: api-only; weights: org/model"
    assert findings("licenses.openness", [subject(openness="api-only")]) == []


# licenses.changed


def test_a_row_naming_another_licence_than_the_catalog() -> None:
    catalog = subject(id="dolly", name="Dolly", license="CC-BY-NC-4.0 (weights)")
    listed = row(17, id="dolly", name="Dolly", license="MIT")
    (found,) = findings("licenses.changed", [listed], known=[catalog])
    assert found.severity.name == "warning" and found.line == 17 and found.field == "license"
    assert found.message.startswith("licence 'MIT', but the catalog's dolly (dolly.yaml:")
    assert found.evidence.startswith("here: MIT; the catalog's dolly") and "CC-BY-NC-4.0" in found.evidence


def test_a_less_precise_name_of_the_same_licence_agrees() -> None:
    bloom = subject(id="bloom", name="BLOOM", license="BigScience RAIL License v1.0")
    llama = subject(
        id="llama", name="LLaMA", license="GPL-3.0 (inference code); non-commercial bespoke license"
    )
    chatglm = subject(
        id="chatglm", name="ChatGLM", license="Apache-2.0 (code); ChatGLM-6B Model License (weights)"
    )
    rows = [
        row(1, id="bloom", name="BLOOM", license="OpenRAIL-M v1"),
        row(2, id="llama", name="LLaMA", license="GPL"),
        row(3, id="chatglm", name="ChatGLM", license="Apache 2.0"),
        row(4, id="chatglm", name="ChatGLM", license="可商用"),  # no licence to compare
    ]
    assert findings("licenses.changed", rows, known=[bloom, llama, chatglm]) == []
