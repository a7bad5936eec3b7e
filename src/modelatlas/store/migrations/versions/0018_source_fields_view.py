"""sources.fields: the fields a source backs as a JSON array on its row; ``source_fields`` a view

``source_fields`` held a row for each field each source of each model backs: five rows a model of an
Epoch export, a quarter of every row a build wrote (5,000,000 at a million models, and the index on
them, and their references checked), which nothing in modelatlas read (the record's JSON holds them). The
fields are now a JSON array on the source's own row (NULL where it backs none), and ``source_fields`` a
view giving the same rows, for whoever queried the table (Datasette, ``psql``, pandas).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: The view's rows, on each database: one for each element of each source's ``fields``.
EACH = {
    "sqlite": (
        "SELECT s.model_id AS model_id, s.source_id AS source_id, j.value AS field "
        "FROM sources AS s, json_each(s.fields) AS j"
    ),
    "postgresql": (
        "SELECT s.model_id, s.source_id, f.field FROM sources AS s "
        "CROSS JOIN LATERAL json_array_elements_text(s.fields::json) AS f(field)"
    ),
}

#: Each source's fields from the table, as a JSON array (its rows' order), as the build writes it.
_GATHERED = {
    "sqlite": "SELECT json_group_array(f.field) FROM source_fields AS f",
    "postgresql": (
        "SELECT '[' || string_agg(to_json(f.field)::text, ',' ORDER BY f.ctid) || ']' FROM source_fields AS f"
    ),
}

_SAME_SOURCE = "f.model_id = sources.model_id AND f.source_id = sources.source_id"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("sources", sa.Column("fields", sa.Text(), nullable=True))
    # an empty group is '[]' on SQLite, NULL on PostgreSQL: a source backing no field has NULL, as built
    op.execute(f"UPDATE sources SET fields = NULLIF(({_GATHERED[dialect]} WHERE {_SAME_SOURCE}), '[]')")
    op.drop_index("ix_source_fields_model_id", table_name="source_fields")
    op.drop_table("source_fields")
    op.execute(f"CREATE VIEW source_fields AS {EACH[dialect]}")


def downgrade() -> None:
    op.execute("DROP VIEW source_fields")
    op.create_table(
        "source_fields",
        sa.Column("model_id", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_source_fields_model_id_models"), ondelete="CASCADE"
        ),
    )
    op.create_index("ix_source_fields_model_id", "source_fields", ["model_id"])
    op.execute(f"INSERT INTO source_fields (model_id, source_id, field) {EACH[op.get_bind().dialect.name]}")
    with op.batch_alter_table("sources") as batch_op:
        batch_op.drop_column("fields")
