"""modelatlas.store.browse: the page, its total and its facet counts, pinned on a small store on SQLite and
PostgreSQL; and on each database the facet index (``facet_sets``, ``facet_values``, ``model_facets``)
answers every state of the browser exactly as the queries over the models do without it, and as the
other database's index does."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Callable, Hashable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Connection, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.store import tables as T
from modelatlas.store.browse import FACET_TABLES, FACETS, Browse, Keep, Page, browse
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.store.facet_counts import FacetArrays
from tests.conftest import TINY_CATALOG

# The tiny catalog and three models more: two organizations of one country and a domain listed twice,
# an organization without a country, no release date or openness, a second Llama.
EXTRA_ORGANIZATIONS = "- {id: nowhere-lab, name: Nowhere Lab, kind: lab}\n"
EXTRA_MODELS = {
    "twin-lm": """\
id: twin-lm
name: Twin LM
aliases: [TwinLM 7B]
organizations: [meta, stanford, meta]
domains: [nlp, nlp]
modalities: {input: [text, audio], output: [text]}
parameters: {total: 7B}
summary: {en: A model of two American labs that lists its domain twice.}
sources: [{id: test, citation: tests, accessed: 2026-11-23, fields: [organizations, parameters]}]
""",
    "nowhere-vision": """\
id: nowhere-vision
name: Nowhere Vision
organizations: [nowhere-lab, casia]
domains: [cv, multimodal]
modalities: {input: [image], output: [text, image]}
released: 2023-11-02
openness: open-weights
sources: [{id: test, citation: tests, accessed: 2026-11-23, fields: [organizations, released, openness]}]
""",
    "llama-2": """\
id: llama-2
name: Llama 2
aliases: [LLaMA-2-70B]
organizations: [meta]
domains: [nlp]
parameters: {total: 70B}
released: 2023-07-18
openness: open-weights-restricted
sources:
  - {id: test, citation: tests, accessed: 2026-11-23, fields: [organizations, parameters, released, openness]}
""",
}

EVERYTHING = {
    "domain": {"nlp": 7, "cv": 2, "multimodal": 2},
    "modality": {"text": 5, "image": 3, "audio": 2},
    "organization": {
        "meta": 3,
        "casia": 2,
        "stanford": 2,
        "age-of-ai": 1,
        "lmsys": 1,
        "nowhere-lab": 1,
        "stability": 1,
    },
    "country": {"US": 6, "CN": 2, "GB": 1},
    "openness": {"open-weights-restricted": 3, "research-only": 2, "closed": 1, "open-weights": 1},
    "year": {"2023": 6, "2022": 1, "2021": 1},
}
NLP_US = {
    "modality": {"text": 2, "audio": 1},
    "organization": {"meta": 3, "stanford": 2, "age-of-ai": 1, "lmsys": 1},
    "openness": {"open-weights-restricted": 2, "research-only": 2},
    "year": {"2023": 5},
}
ALL_IDS = [
    "nowhere-vision",
    "llama-2",
    "freedomgpt",
    "vicuna",
    "alpaca",
    "llama",
    "stable-diffusion",
    "zidong-taichu",
    "twin-lm",
]

# What browse answered before the facet index existed: (total, ids of the page, facet counts).
PINNED: list[tuple[Browse, tuple[int, list[str], dict[str, dict[str, int]]]]] = [
    (Browse(), (9, ALL_IDS, EVERYTHING)),
    (Browse(offset=3, limit=3), (9, ALL_IDS[3:6], EVERYTHING)),
    (Browse(offset=9), (9, [], EVERYTHING)),
    (
        Browse(domain=("nlp",)),
        (6, ["llama-2", "freedomgpt", "vicuna", "alpaca", "llama", "twin-lm"], {
            "domain": EVERYTHING["domain"], **NLP_US, "country": {"US": 6}
        }),
    ),
    (
        Browse(domain=("nlp", "cv"), country=("us",)),
        (6, ["llama-2", "freedomgpt", "vicuna", "alpaca", "llama", "twin-lm"], {
            "domain": {"nlp": 7}, **NLP_US, "country": {"US": 6, "CN": 1, "GB": 1}
        }),
    ),
    (
        Browse(organization=("meta",), open_only=True),
        (1, ["llama-2"], {
            "domain": {"nlp": 1},
            "modality": {},
            "organization": {"casia": 1, "lmsys": 1, "meta": 1, "nowhere-lab": 1, "stability": 1},
            "country": {"US": 1},
            "openness": {"open-weights-restricted": 1},
            "year": {"2023": 1},
        }),
    ),
    (
        Browse(year=(2023,), modality=("image",)),
        (1, ["nowhere-vision"], {
            "domain": {"cv": 1, "multimodal": 1},
            "modality": {"text": 2, "image": 1},
            "organization": {"casia": 1, "nowhere-lab": 1},
            "country": {"CN": 1},
            "openness": {"open-weights": 1},
            "year": {"2023": 1, "2022": 1, "2021": 1},
        }),
    ),
    (
        Browse(min_params=7 * 10**9, max_params=70 * 10**9, sort="parameters", descending=False),
        (5, ["alpaca", "twin-lm", "vicuna", "llama", "llama-2"], {
            "domain": {"nlp": 6},
            "modality": {"text": 2, "audio": 1},
            "organization": {"meta": 3, "stanford": 2, "lmsys": 1},
            "country": {"US": 5},
            "openness": {"open-weights-restricted": 2, "research-only": 2},
            "year": {"2023": 4},
        }),
    ),
    (
        Browse(text="llama", sort="name", descending=False),
        (4, ["alpaca", "llama", "llama-2", "vicuna"], {
            "domain": {"nlp": 4},
            "modality": {"text": 1},
            "organization": {"meta": 2, "lmsys": 1, "stanford": 1},
            "country": {"US": 4},
            "openness": {"open-weights-restricted": 2, "research-only": 2},
            "year": {"2023": 4},
        }),
    ),
    (
        Browse(text="lamma", sort="relevance"),  # a typo: only the near spelling finds it
        (1, ["llama"], {
            "domain": {"nlp": 1},
            "modality": {"text": 1},
            "organization": {"meta": 1},
            "country": {"US": 1},
            "openness": {"research-only": 1},
            "year": {"2023": 1},
        }),
    ),
    (
        Browse(only=("alpaca", "zidong-taichu", "twin-lm"), openness=("research-only", "closed")),
        (2, ["alpaca", "zidong-taichu"], {
            "domain": {"multimodal": 1, "nlp": 1},
            "modality": {"audio": 1, "image": 1, "text": 1},
            "organization": {"casia": 1, "stanford": 1},
            "country": {"CN": 1, "US": 1},
            "openness": {"closed": 1, "research-only": 1},
            "year": {"2023": 1, "2021": 1},
        }),
    ),
]  # fmt: skip


def _answer(page: Page) -> tuple[int, list[str], list[tuple[str, list[tuple[str, int]]]]]:
    """What the page shows, in its order: facets in turn, each one's values most first."""
    return page.total, [row.id for row in page.rows], [(f, list(c.items())) for f, c in page.facets.items()]


@pytest.fixture(scope="module")
def small_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browse") / "catalog"
    shutil.copytree(TINY_CATALOG, root)
    with (root / "organizations.yaml").open("a", encoding="utf-8") as orgs:
        orgs.write(EXTRA_ORGANIZATIONS)
    for name, body in EXTRA_MODELS.items():
        (root / "models" / f"{name}.yaml").write_text(body, encoding="utf-8")
    return root


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def small(
    request: pytest.FixtureRequest, small_catalog: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Connection]:
    """The small store, built once on each backend."""
    with _database(request, tmp_path_factory) as url:
        build_store(load_valid_catalog(small_catalog), url)
        engine = make_engine(url)
        with engine.connect() as conn:
            yield conn
        engine.dispose()


class _database:
    """A fresh SQLite file or PostgreSQL database for a module."""

    def __init__(self, request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> None:
        self.request, self.factory, self.drop = request, factory, None

    def __enter__(self) -> str:
        if self.request.param == "sqlite":
            return f"sqlite:///{self.factory.mktemp('store') / 'store.db'}"
        server = make_url(self.request.getfixturevalue("postgres_server")).set(
            drivername="postgresql+psycopg"
        )
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.drop = (server, name)
        return server.set(database=name).render_as_string(hide_password=False)

    def __exit__(self, *exc: object) -> None:
        if self.drop:
            server, name = self.drop
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.mark.parametrize(("state", "expected"), PINNED, ids=[str(i) for i in range(len(PINNED))])
def test_pinned_pages_and_counts(small: Connection, state: Browse, expected: Any) -> None:
    total, ids, counts = expected
    assert _answer(browse(small, state)) == (total, ids, [(f, list(counts[f].items())) for f in FACETS])
    assert _answer(browse(small, state, facets=False)) == (total, ids, [])


def test_the_index_is_built_on_both(small: Connection) -> None:
    """Every model has one combination (9 models, 9 combinations: alpaca and llama differ in their
    organization, llama has a modality); the values as the build wrote them, twin-lm's domain twice
    (``times``), years as each database keeps them."""
    present = [name for name in FACET_TABLES if inspect(small).has_table(name)]
    assert present == list(FACET_TABLES)
    narrow = small.execute(text("SELECT id, combo FROM model_facets")).all()
    assert sorted(mid for mid, _ in narrow) == sorted(ALL_IDS)
    combo = dict(narrow)
    assert sorted(combo.values()) == list(range(1, 10))  # no two models share a combination here
    sets = dict(small.execute(text("SELECT combo, models FROM facet_sets")).all())
    assert sets == dict.fromkeys(range(1, 10), 1)
    query = "SELECT facet, value, times, models FROM facet_values WHERE combo = :c ORDER BY facet, value"
    year: Any = 2023 if small.dialect.name == "sqlite" else "2023"
    assert small.execute(text(query), {"c": combo["twin-lm"]}).all() == [
        ("country", "US", 1, 1),
        ("domain", "nlp", 2, 1),
        ("modality", "audio", 1, 1),
        ("modality", "text", 1, 1),
        ("organization", "meta", 1, 1),
        ("organization", "stanford", 1, 1),
    ]
    assert small.execute(text(query), {"c": combo["nowhere-vision"]}).all() == [
        ("country", "CN", 1, 1),  # nowhere-lab has no country
        ("domain", "cv", 1, 1),
        ("domain", "multimodal", 1, 1),
        ("modality", "image", 1, 1),
        ("modality", "text", 1, 1),
        ("openness", "open-weights", 1, 1),
        ("organization", "casia", 1, 1),
        ("organization", "nowhere-lab", 1, 1),
        ("year", year, 1, 1),
    ]


# The facet index against the queries over the models, over many states of the browser, on each database.


def _both_catalogs(small_catalog: Path) -> Any:
    """The bundled catalog with the small one's models and organizations added."""
    catalog = load_valid_catalog(bundled_catalog())
    small_models = load_valid_catalog(small_catalog)
    known = {e.record.id for e in catalog.models}
    catalog.models.extend(e for e in small_models.models if e.record.id not in known)
    known_orgs = {e.record.id for e in catalog.organizations}
    catalog.organizations.extend(e for e in small_models.organizations if e.record.id not in known_orgs)
    return catalog


@pytest.fixture(scope="module")
def pair(small_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Connection]]:
    """The bundled catalog and the small one in one SQLite store, with the facet index and without."""
    catalog = _both_catalogs(small_catalog)
    indexed = tmp_path_factory.mktemp("pair") / "indexed.db"
    build_store(catalog, f"sqlite:///{indexed}")
    plain = indexed.with_name("plain.db")
    shutil.copyfile(indexed, plain)
    engine = make_engine(f"sqlite:///{plain}")
    with engine.begin() as conn:
        for name in FACET_TABLES:
            conn.execute(text(f"DROP TABLE {name}"))
    engines = {"indexed": make_engine(f"sqlite:///{indexed}"), "plain": engine}
    conns = {name: e.connect() for name, e in engines.items()}
    yield conns
    for name, conn in conns.items():
        conn.close()
        engines[name].dispose()


def _states(conn: Connection) -> list[Browse]:
    everything = browse(conn, Browse(), facets=True).facets
    ids = list(conn.execute(select(T.models.c.id).order_by(T.models.c.id)).scalars())
    values: dict[str, list[Any]] = {f: [*list(everything[f])[:3], "nothing-like-it"] for f in FACETS}
    values["year"] = [int(y) for y in list(everything["year"])[:3]] + [1901]
    values["country"] = [c.lower() for c in values["country"]]
    for checked in ("domain", "modality", "openness"):  # a value outside the vocabulary is an error
        values[checked] = values[checked][:-1]
    states = [Browse()]
    for facet in FACETS:
        states += [Browse(**{facet: (value,)}) for value in values[facet]]
        states.append(Browse(**{facet: tuple(values[facet][:2])}))
    for first, second in zip(FACETS, FACETS[1:] + FACETS[:1], strict=True):
        states.append(Browse(**{first: tuple(values[first][:2]), second: (values[second][0],)}))
    states += [
        Browse(open_only=True),
        Browse(open_only=True, openness=("closed", "open-weights")),
        Browse(min_params=10**9),
        Browse(min_params=7 * 10**9, max_params=70 * 10**9, sort="parameters"),  # the small store's bounds
        Browse(max_params=7 * 10**9),
        Browse(min_params=7 * 10**9 + 1, max_params=10**20),
        Browse(released_after=dt.date(2022, 1, 1), sort="parameters"),
        Browse(released_before=dt.date(2020, 6, 30), text="bert"),
        Browse(max_params=10**10, domain=("nlp",)),
        Browse(min_params=10**9, max_params=10**11, year=tuple(values["year"][:2]), open_only=True),
        Browse(only=()),
        Browse(only=tuple(ids[::7]), domain=("nlp",)),
        Browse(only=(*ids, "no-such-model"), country=("cn",)),  # over queries._JSON_IDS: one JSON array
        Browse(text="llama"),
        Browse(text="llama", domain=("nlp",), sort="relevance"),
        Browse(text="gpt", sort="name", descending=False, organization=tuple(values["organization"][:2])),
        Browse(text="vicunna"),  # a typo: near spellings, in date order
        Browse(text="chinese", sort="relevance", year=tuple(values["year"][:1])),
        Browse(text="zz"),
        Browse(text="   "),
        Browse(population="notable"),
        Browse(population="notable", domain=("nlp",), sort="parameters"),
        Browse(source="seed"),
        Browse(source="seed", openness=("open",)),
        Browse(openness=("open", "api-only"), text="llama"),
        # ranked hits with each kind of filter (the kept path reads each hit's combination once)
        Browse(text="llama", sort="relevance", open_only=True),
        Browse(
            text="llama", sort="relevance", open_only=True, organization=tuple(values["organization"][:1])
        ),
        Browse(text="llama", sort="relevance", openness=("not-open",), min_params=10**9),
        Browse(text="llama", sort="relevance", only=tuple(ids[::3]), country=("us", "cn")),
        Browse(text="gpt", sort="relevance", population="notable", released_after=dt.date(2020, 1, 1)),
        Browse(text="bert", sort="relevance", source="seed", domain=("nlp",), modality=("text",)),
        Browse(text="llama", sort="relevance", year=tuple(values["year"])),  # numbers on both databases
        Browse(
            text="llama",
            sort="relevance",
            organization=tuple(values["organization"][:2]),
            year=tuple(values["year"]),
        ),
    ]
    orders = [
        {"sort": sort, "descending": descending, "offset": offset, "limit": limit}
        for sort in ("released", "parameters", "name", "relevance")
        for descending in (True, False)
        for offset, limit in ((0, 50), (7, 5), (500, 50))
    ]
    states += [replace(Browse(domain=("nlp",), country=("us",)), **order) for order in orders]
    states += [replace(Browse(text="alpaca"), **order) for order in orders]
    return states


def _keeping() -> Keep:
    """A ``keep`` that keeps, as the web's per build: the facet index is then counted in memory."""
    kept: dict[Hashable, Any] = {}

    def keep(key: Hashable, compute: Callable[[], Any]) -> Any:
        if key not in kept:
            kept[key] = compute()
        return kept[key]

    return keep


def test_the_index_answers_as_the_models_do(pair: dict[str, Connection]) -> None:
    states = _states(pair["plain"])
    assert len(states) >= 100
    keep = _keeping()
    for state in states:
        for facets in (True, False):
            expected = _answer(browse(pair["plain"], state, facets=facets))
            assert _answer(browse(pair["indexed"], state, facets=facets)) == expected, state
            # in memory (FacetArrays), and again from what was kept
            for _ in range(2):
                assert _answer(browse(pair["indexed"], state, facets=facets, keep=keep)) == expected, state


def test_the_facet_index_in_memory_counts_exactly(small: Connection) -> None:
    """FacetArrays on the small store, pinned: each value's count over the combinations that pass every
    other filter, a domain listed twice counted twice, not-open as every combination without an open
    openness; and no other value."""
    arrays = FacetArrays.load(small)  # on both databases: PostgreSQL's years (text there) as numbers
    everyone = arrays.members
    total, counts = arrays.tally(everyone, [], False, FACETS)
    assert total == 9
    assert {f: dict(sorted(counts[f], key=lambda c: (-c[1], str(c[0])))) for f in FACETS} == {
        **EVERYTHING,
        "year": {2023: 6, 2021: 1, 2022: 1},  # numbers on both (browse writes them as text)
    }
    total, counts = arrays.tally(everyone, [("domain", ("cv",))], False, FACETS)
    assert total == 2
    assert dict(counts["domain"]) == EVERYTHING["domain"]  # a facet's own filter leaves its counts
    assert sum(n for _, n in counts["openness"]) < 7  # the others' are over the cv models
    total, counts = arrays.tally(everyone, [("openness", ("not-open",))], False, FACETS)
    assert total == 5  # nine models, four of them open (open-weights and open-weights-restricted)
    assert dict(counts["openness"]) == EVERYTHING["openness"]
    total, _ = arrays.tally(everyone, [("openness", ("not-open", "open-weights"))], False, FACETS)
    assert total == 6  # the five not open and the one open-weights (not the three restricted)
    total, counts = arrays.tally(everyone, [("openness", ("not-open",))], True, FACETS)
    assert total == 0  # not open and open only: nothing
    assert dict(counts["openness"]) == {"open-weights-restricted": 3, "open-weights": 1}
    # sizes by two binary searches, the bounds inclusive as SQL's: 7B and 70B in, one more either side out
    assert arrays.sized(7 * 10**9, 70 * 10**9) == 5
    assert arrays.sized(7 * 10**9 + 1, 70 * 10**9 - 1) == 2  # vicuna 13B, llama 65.2B
    assert arrays.sized(None, None) == 7  # two models state no size
    assert arrays.sized(10**15, None) == 0
    none = np.zeros_like(everyone)
    assert arrays.tally(none, [], False, FACETS) == (0, {facet: [] for facet in FACETS})
    # counts, not measures: integer arrays, as bincount needs its keys
    assert {str(a.dtype) for a in (arrays.members, arrays.key, arrays.combo, arrays.times, arrays.sizes)} == {
        "int64"
    }


def test_the_facet_index_of_an_empty_store_counts_nothing(
    small_catalog: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A store without models (mutmut: a ``max`` of no combinations without its default, arrays of
    floats when empty, a spare combination number)."""
    root = tmp_path_factory.mktemp("empty") / "catalog"
    shutil.copytree(small_catalog, root)
    for path in (root / "models").glob("*.yaml"):
        path.unlink()
    url = f"sqlite:///{root.parent / 'store.db'}"
    build_store(load_valid_catalog(root), url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            arrays = FacetArrays.load(conn)
    finally:
        engine.dispose()
    assert arrays.members.tolist() == [0] and arrays.labels == () and arrays.rows == {}
    assert [str(a.dtype) for a in (arrays.key, arrays.combo, arrays.times, arrays.sizes)] == ["int64"] * 4
    for open_only in (False, True):
        total, counts = arrays.tally(arrays.members, [("domain", ("nlp",))], open_only, FACETS)
        assert (total, counts) == (0, {facet: [] for facet in FACETS})
    assert arrays.with_value("openness", ["not-open"]).tolist() == [True]  # no open combination
    assert arrays.sized(None, None) == arrays.sized(1, 10**12) == 0


@pytest.fixture(scope="module")
def pg_pair(
    small_catalog: Path, postgres_server: str, pair: dict[str, Connection]
) -> Iterator[dict[str, Connection]]:
    """The same store as ``pair``'s on PostgreSQL, with the facet index and without (a copy of the
    database with the tables dropped), and ``pair``'s SQLite store with its index."""
    server = make_url(postgres_server).set(drivername="postgresql+psycopg")
    names = {"indexed": f"t_{uuid.uuid4().hex[:12]}", "plain": f"t_{uuid.uuid4().hex[:12]}"}
    urls = {
        key: server.set(database=name).render_as_string(hide_password=False) for key, name in names.items()
    }
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{names["indexed"]}"'))
    build_store(_both_catalogs(small_catalog), urls["indexed"])
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{names["plain"]}" TEMPLATE "{names["indexed"]}"'))
    engines = {key: make_engine(url) for key, url in urls.items()}
    with engines["plain"].begin() as conn:
        for name in FACET_TABLES:
            conn.execute(text(f"DROP TABLE {name}"))
    conns = {key: e.connect() for key, e in engines.items()}
    yield conns | {"sqlite": pair["indexed"]}
    for key, conn in conns.items():
        conn.close()
        engines[key].dispose()
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_index_answers_as_the_models_do_on_postgresql(pg_pair: dict[str, Connection]) -> None:
    """Issue 18's parity: on PostgreSQL the index's answers (exact totals, pages, every facet's counts,
    with each filter and without) are those of the queries over the models, and those of SQLite's
    index (but for pages in name order, which each database's collation sorts its own way)."""
    indexed = pg_pair["indexed"]
    sizes = "SELECT models, count(*) FROM facet_sets GROUP BY models ORDER BY models"
    shared = indexed.execute(text(sizes)).all()  # the same grouping: as many combinations of each size
    assert shared == pg_pair["sqlite"].execute(text(sizes)).all() and shared[-1][0] > 1
    values = "SELECT facet, value, sum(times * models) FROM facet_values GROUP BY facet, value ORDER BY 1, 2"
    assert indexed.execute(text(values)).all() == [
        (facet, str(value), n) for facet, value, n in pg_pair["sqlite"].execute(text(values))
    ]
    states = _states(pg_pair["plain"])
    assert len(states) >= 100
    keep = _keeping()
    for state in states:
        for facets in (True, False):
            found = _answer(browse(indexed, state, facets=facets))
            assert found == _answer(browse(pg_pair["plain"], state, facets=facets)), state
            # the facet index in memory (FacetArrays, read from PostgreSQL), and again from what was kept
            for _ in range(2):
                assert _answer(browse(indexed, state, facets=facets, keep=keep)) == found, state
            if state.sort != "name":
                assert found == _answer(browse(pg_pair["sqlite"], state, facets=facets)), state


@pytest.mark.parametrize(
    ("state", "ids"),
    [  # the bounds are inclusive: a model released on the day is in (mutmut: > for >= survived)
        (Browse(released_after=dt.date(2023, 7, 18)), ["nowhere-vision", "llama-2"]),
        (Browse(released_after=dt.date(2023, 7, 19)), ["nowhere-vision"]),
        (Browse(released_before=dt.date(2023, 2, 24)), ["llama", "stable-diffusion", "zidong-taichu"]),
        (Browse(released_before=dt.date(2023, 2, 23)), ["stable-diffusion", "zidong-taichu"]),
        # two characters: too short for the trigram index, matched with LIKE (the survivor ignored it)
        (Browse(text="gp", sort="name", descending=False), ["freedomgpt", "vicuna"]),  # "ShareGPT"
        (Browse(text="gp", openness=("open-weights-restricted",)), ["vicuna"]),
    ],
    ids=["after-on-the-day", "after-the-day", "before-on-the-day", "before-the-day", "short", "short-nlp"],
)
def test_bounds_and_short_searches(small: Connection, state: Browse, ids: list[str]) -> None:
    for facets in (True, False):
        page = browse(small, state, facets=facets)
        assert (page.total, [row.id for row in page.rows]) == (len(ids), ids)


def test_a_question_is_bounded_as_the_databases_compare() -> None:
    """Issue 19 (mutmut on Browse.__post_init__): counts past 2⁶³−1 become the largest, each field on
    its own; years outside 1–9999 are refused with the first one named; a NUL leaves the text."""
    from modelatlas.errors import BadArgument
    from modelatlas.store.browse import LARGEST

    huge = Browse(min_params=2**70, max_params=LARGEST + 1, offset=2**64, limit=2**63)
    assert (huge.min_params, huge.max_params, huge.offset, huge.limit) == (LARGEST,) * 4
    kept = Browse(min_params=LARGEST, max_params=5, offset=3, limit=None)
    assert (kept.min_params, kept.max_params, kept.offset, kept.limit) == (LARGEST, 5, 3, None)
    assert Browse(year=(1, 9999)).year == (1, 9999)
    for years, named in (((0,), 0), ((2023, 10000), 10000), ((2023, -5, 10000), -5)):
        with pytest.raises(BadArgument, match=rf"^year: {named} is not a year from 1 to 9999$"):
            Browse(year=years)
    assert Browse(text="lla\0ma\0").text == "llama" and Browse(text="llama").text == "llama"
    assert Browse(text=None).text is None


def test_organizations_are_named_by_id_name_or_chinese_name(small: Connection) -> None:
    """Issue 18's one meaning of ``org`` (mutmut on organization_ids): the id in any case, the name in
    any case, the Chinese name or its start (not a Latin prefix), each value on its own."""
    from modelatlas.store.browse import organization_ids

    assert organization_ids(small, ["CASIA"]) == ("casia",)  # by id: the name is another
    assert organization_ids(small, ["stanford university"]) == ("stanford",)
    assert organization_ids(small, ["中国科学院"]) == ("casia",)  # the start of the Chinese name
    assert organization_ids(small, ["中国科学院自动化研究所", " Meta AI "]) == ("casia", "meta")
    assert organization_ids(small, ["Meta A"]) == ("Meta A",)  # no prefix in Latin: kept, matches nothing
    assert organization_ids(small, ["Stan"]) == ("Stan",)
    assert organization_ids(small, ["meta", "META"]) == ("meta",)
