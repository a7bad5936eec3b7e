"""The fields each source backs: a JSON array on the source's row (``sources.fields``), and the view
``source_fields`` giving a row for each, as the table of that name did until migration 0018."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect
from sqlalchemy import text as sql

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.store.build import MIGRATIONS, build_store
from modelatlas.store.engine import LIVE_SCHEMA, make_engine

#: The fixture catalog's sources that back fields, with them in the catalog's order (alpaca's second
#: source backs none).
BACKED = {
    ("alpaca", "blog"): ["organizations", "parameters", "training", "released", "code", "openness"]
    + ["base_models"],
    ("freedomgpt", "seed001"): ["organizations", "released", "base_models"],
    ("llama", "paper"): ["organizations", "architecture", "parameters", "variants", "training"]
    + ["released", "papers", "openness"],
    ("stable-diffusion", "seed000"): ["organizations", "architecture", "parameters", "released", "openness"],
    ("vicuna", "blog"): ["organizations", "parameters", "training.cost_usd", "released", "openness"]
    + ["base_models"],
    ("zidong-taichu", "seed003"): ["organizations", "parameters", "released", "openness"],
}


def _grouped(rows: list[tuple[str, str, str]]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for model_id, source_id, field in rows:
        found.setdefault((model_id, source_id), []).append(field)
    return found


def test_a_build_keeps_each_sources_fields_on_its_row_and_the_view_lists_them(
    store_url: str, tiny_catalog: Path
) -> None:
    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    with engine.connect() as conn:
        read = conn.execute(sql("SELECT model_id, source_id, fields FROM sources"))
        kept = {(m, s): f for m, s, f in read}
        assert "source_fields" not in inspect(conn).get_table_names()
        assert "source_fields" in inspect(conn).get_view_names()
        viewed = conn.execute(sql("SELECT model_id, source_id, field FROM source_fields")).all()
    engine.dispose()
    assert {k: v for k, v in kept.items() if v is not None} == {
        key: '["' + '","'.join(fields) + '"]' for key, fields in BACKED.items()
    }
    assert [k for k, v in kept.items() if v is None] == [("alpaca", "seed001")]
    assert _grouped([tuple(r) for r in viewed]) == BACKED  # each source's fields in its order
    assert len(viewed) == sum(map(len, BACKED.values())) == 33


def _to(conn: Connection, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    (command.downgrade if down else command.upgrade)(config, revision)


def test_the_migration_moves_the_tables_rows_onto_the_sources_and_back(store_url: str) -> None:
    engine = make_engine(store_url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sql(f'CREATE SCHEMA IF NOT EXISTS "{LIVE_SCHEMA}"'))
        _to(conn, "0017")
        required = {  # the model's columns a value is required for, at 0017: a placeholder for each
            c["name"]: False if c["type"].python_type is bool else "m"
            for c in inspect(conn).get_columns("models")
            if not c["nullable"] and c["default"] is None
        }
        placed = ", ".join(f":{c}" for c in required)
        conn.execute(sql(f"INSERT INTO models ({', '.join(required)}) VALUES ({placed})"), required)
        for source in ("paper", "blog", "none"):
            conn.execute(
                sql("INSERT INTO sources (model_id, source_id, accessed) VALUES ('m', :s, '2024-01-02')"),
                {"s": source},
            )
        rows = [("m", "paper", "parameters"), ("m", "blog", "released"), ("m", "paper", "training.tokens")]
        for row in rows:
            given = dict(zip("msf", row, strict=True))
            conn.execute(sql("INSERT INTO source_fields VALUES (:m, :s, :f)"), given)
        _to(conn, "0018")
        fields = dict(conn.execute(sql("SELECT source_id, fields FROM sources")).all())
        viewed = conn.execute(sql("SELECT model_id, source_id, field FROM source_fields")).all()
        assert fields == {"paper": '["parameters","training.tokens"]', "blog": '["released"]', "none": None}
        assert sorted(map(tuple, viewed)) == sorted(rows)
        _to(conn, "0017", down=True)
        assert "fields" not in {c["name"] for c in inspect(conn).get_columns("sources")}
        back = conn.execute(sql("SELECT model_id, source_id, field FROM source_fields")).all()
        assert sorted(map(tuple, back)) == sorted(rows)
    engine.dispose()
