"""The facet index of ``store.browse`` on PostgreSQL, filled in SQL once a build has written the models.

The same three tables as on SQLite (``store.facet_index``; made by migration 0011 with typed columns)
and the same rows up to the numbering of the combinations: a model's domains as listed (a domain listed
twice counts twice, ``times``), its distinct modalities, organizations and their known countries, its
openness and its release year (as text: ``facet_values.value`` is one text column). Where SQLite's
build tallies them in Python as it writes each chunk, here the server makes them from the model tables
after the load, in a few set-wise statements (``array_agg``, ``dense_rank``, ``unnest``), without
sending a row back and forth; the build calls ``fill_facet_index_postgres`` in one line.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["fill_facet_index_postgres"]

#: Each model's facet values, one array per facet (sorted, so that equal combinations compare equal),
#: and its combination's number: the rank of its values among every model's.
_FOUND = """
CREATE TEMPORARY TABLE facet_found ON COMMIT DROP AS
SELECT found.*, dense_rank() OVER (
    ORDER BY domains, modalities, organizations, countries, openness, year
)::integer AS combo
FROM (
    SELECT m.id, m.parameters, m.released, m.name, m.openness::text AS openness,
        extract(year FROM m.released)::integer AS year,
        coalesce(d.found, '{}') AS domains, coalesce(mm.found, '{}') AS modalities,
        coalesce(o.found, '{}') AS organizations, coalesce(o.countries, '{}') AS countries
    FROM models m
    LEFT JOIN (
        SELECT model_id, array_agg(domain::text ORDER BY domain) AS found
        FROM model_domains GROUP BY model_id
    ) d ON d.model_id = m.id
    LEFT JOIN (
        SELECT model_id, array_agg(DISTINCT modality::text) AS found
        FROM model_modalities GROUP BY model_id
    ) mm ON mm.model_id = m.id
    LEFT JOIN (
        SELECT mo.model_id, array_agg(DISTINCT mo.organization_id::text) AS found,
            array_remove(array_agg(DISTINCT org.country::text), NULL) AS countries
        FROM model_organizations mo JOIN organizations org ON org.id = mo.organization_id
        GROUP BY mo.model_id
    ) o ON o.model_id = m.id
) found
"""
_NARROW = """
INSERT INTO model_facets (id, combo, parameters, released, name)
SELECT id, combo, parameters, released, name FROM facet_found
"""
#: One row per combination: its values and how many models have it.
_COMBOS = """
CREATE TEMPORARY TABLE facet_combos ON COMMIT DROP AS
SELECT DISTINCT ON (combo) combo, domains, modalities, organizations, countries, openness, year,
    (count(*) OVER (PARTITION BY combo))::integer AS models
FROM facet_found ORDER BY combo
"""
_SETS = "INSERT INTO facet_sets (combo, models) SELECT combo, models FROM facet_combos"
_VALUES = """
INSERT INTO facet_values (facet, value, combo, times, models)
SELECT 'domain', value, combo, count(*), models FROM facet_combos, unnest(domains) AS value
    GROUP BY combo, value, models
UNION ALL SELECT 'modality', value, combo, 1, models FROM facet_combos, unnest(modalities) AS value
UNION ALL SELECT 'organization', value, combo, 1, models FROM facet_combos, unnest(organizations) AS value
UNION ALL SELECT 'country', value, combo, 1, models FROM facet_combos, unnest(countries) AS value
UNION ALL SELECT 'openness', openness, combo, 1, models FROM facet_combos WHERE openness IS NOT NULL
UNION ALL SELECT 'year', year::text, combo, 1, models FROM facet_combos WHERE year IS NOT NULL
"""


def fill_facet_index_postgres(conn: Connection) -> None:
    """On PostgreSQL, fill ``facet_sets``, ``facet_values`` and ``model_facets`` from the model tables
    (which must be complete) and gather their statistics; elsewhere nothing (SQLite's build tallies
    them as it writes, ``store.facet_index``). Runs in the build's transaction: the temporary tables
    go with it."""
    if conn.dialect.name != "postgresql":
        return
    for statement in (_FOUND, _NARROW, _COMBOS, _SETS, _VALUES):
        conn.execute(text(statement))
    conn.execute(text("DROP TABLE facet_found, facet_combos"))
    conn.execute(text("ANALYZE facet_sets, facet_values, model_facets"))
