"""Alembic environment: migrations run on a connection handed in by ``modelatlas.store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from modelatlas.store.tables import declared, metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # the `alembic` command line, for authoring new revisions
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///:memory:"
    with create_engine(url).connect() as fresh:
        context.configure(
            connection=fresh, target_metadata=metadata, render_as_batch=True, include_name=declared
        )
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True, include_name=declared
    )
    with context.begin_transaction():
        context.run_migrations()
