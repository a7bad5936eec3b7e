"""The store's tables: plain, one fact per column, readable by pandas or Datasette.

``docs/store.md`` describes each table. The schema itself is created by the Alembic
migrations in ``modelatlas/store/migrations``; this module is their target metadata.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "DERIVED",
    "KEPT",
    "SCHEMA_REVISION",
    "STREAMED",
    "SUMMARY",
    "analysis_rows",
    "benchmarks",
    "candidates",
    "build_info",
    "code",
    "conflicts",
    "declared",
    "disputes",
    "estimates",
    "evaluations",
    "hardware",
    "http_cache",
    "hub_base_months",
    "hub_base_totals",
    "hub_bases",
    "hub_field",
    "hub_inner",
    "hub_listing",
    "hub_repos",
    "hub_shared",
    "hub_snapshots",
    "hub_staged",
    "hub_staged_bases",
    "import_rows",
    "imports",
    "kept_views",
    "lineage",
    "metadata",
    "model_domains",
    "model_modalities",
    "model_names",
    "model_organizations",
    "model_refs",
    "model_techniques",
    "models",
    "observations",
    "organizations",
    "papers",
    "snapshots",
    "sources",
    "status_notes",
    "sync_runs",
    "sync_state",
    "techniques",
    "variants",
    "weights",
]

#: The Alembic revision these tables are (the newest in ``migrations/versions``): a store at an older
#: one was built by an older modelatlas and has to be rebuilt.
SCHEMA_REVISION = "0018"

#: Tables a build fills from the others (the search and facet indexes), made by migrations 0010 and
#: 0011 with their own DDL and not declared here: an FTS5 table and an untyped column have no
#: SQLAlchemy form, and the facet index's columns differ by database. ``model_text`` is SQLite's only.
DERIVED = ("name_keys", "organization_names", "model_text", "facet_sets", "facet_values", "model_facets")


def declared(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name``: whether autogenerate compares ``name`` with ``metadata``, that is
    anything but ``DERIVED`` (and the FTS5 table's own shadow tables, ``model_text_data`` …) and their
    indexes."""
    if type_ == "table" and name is not None:
        return not name.startswith(DERIVED)
    if type_ == "index" and name is not None:
        return not name.startswith("ix_model_facets_")
    return True


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)


def _model_fk() -> Column[str]:
    return Column(
        "model_id", String(100), ForeignKey("models.id", ondelete="CASCADE"), nullable=False, index=True
    )


organizations = Table(
    "organizations",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_zh", Text),
    Column("country", String(2)),
    Column("kind", String(20)),
    Column("url", Text),
)

techniques = Table(
    "techniques",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_zh", Text),
    Column("kind", String(20), nullable=False),
    Column("year", Integer),
    Column("paper_title", Text),
    Column("paper_arxiv", String(30)),
)

benchmarks = Table(
    "benchmarks",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_zh", Text),
    Column("domain", String(20), nullable=False),
    Column("url", Text),
)

models = Table(
    "models",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("family", String(100)),
    Column("version", Text),
    Column("version_of", String(100), index=True),
    Column("architecture", String(30)),
    Column("moe", Boolean, nullable=False, default=False),
    Column("parameters", BigInteger),
    Column("active_parameters", BigInteger),
    Column("context_length", BigInteger),
    Column("training_tokens", BigInteger),
    Column("training_dataset", Text),
    Column("training_compute_flop", Float),
    Column("training_hardware", Text),
    Column("training_gpu_hours", Float),
    Column("training_cost_usd", Float),
    Column("training_co2e_t", Float),
    Column("released", Date),
    Column("released_precision", String(5)),
    Column("announced", Date),
    Column("announced_precision", String(5)),
    Column("license", Text),
    Column("openness", String(30)),
    Column("demo", Text),
    Column("homepage", Text),
    Column("summary_en", Text),
    Column("summary_zh", Text),
    Column("source_file", Text, nullable=False),
    Column("record_json", Text, nullable=False),
    # when the model entered the atlas: its earliest source's ``accessed`` (``store.browse.added_since``,
    # ``/new`` and the feed, for any day without grouping every model's sources: migration 0016)
    Column("added", Date),
    Index("ix_models_released", "released"),
    Index("ix_models_parameters", "parameters"),
    Index("ix_models_added", "added", "released"),
)

model_names = Table(
    "model_names",
    metadata,
    _model_fk(),
    Column("name", Text, nullable=False),
    Column("key", Text, nullable=False, index=True),
    Column("kind", String(10), nullable=False),
)

model_domains = Table(
    "model_domains",
    metadata,
    _model_fk(),
    Column("domain", String(20), nullable=False, index=True),
)

model_modalities = Table(
    "model_modalities",
    metadata,
    _model_fk(),
    Column("direction", String(6), nullable=False),
    Column("modality", String(10), nullable=False, index=True),
)

model_organizations = Table(
    "model_organizations",
    metadata,
    _model_fk(),
    Column("organization_id", String(100), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
)

#: What a sync asks the live sources about, per model (``live.targets.refs_of``): Hub repos (the
#: variants' too), bare arXiv ids, GitHub ``owner/repo``.
model_refs = Table(
    "model_refs",
    metadata,
    _model_fk(),
    Column("source", String(10), nullable=False),
    Column("ref", Text, nullable=False),
    Column("position", Integer, nullable=False),
)

model_techniques = Table(
    "model_techniques",
    metadata,
    _model_fk(),
    Column("technique_id", String(100), ForeignKey("techniques.id"), nullable=False, index=True),
)

variants = Table(
    "variants",
    metadata,
    _model_fk(),
    Column("name", Text, nullable=False),
    Column("parameters", BigInteger),
    Column("context_length", BigInteger),
)

papers = Table(
    "papers",
    metadata,
    _model_fk(),
    Column("position", Integer, nullable=False),
    Column("title", Text),
    Column("arxiv", String(30), index=True),
    Column("venue", Text),
    Column("year", Integer),
    Column("url", Text),
    Column("date", Date),
    Column("date_precision", String(5)),
)

code = Table("code", metadata, _model_fk(), Column("url", Text, nullable=False))

weights = Table(
    "weights",
    metadata,
    _model_fk(),
    Column("kind", String(12), nullable=False),
    Column("ref", Text, nullable=False),
)

lineage = Table(
    "lineage",
    metadata,
    _model_fk(),
    Column("base_id", String(100), ForeignKey("models.id"), nullable=False, index=True),
    Column("relation", String(30), nullable=False),
    Column("method", String(100)),
    Column("note", Text),
)

#: The analysis table (``analysis.frame``) of every model, computed once per build: the facts trends,
#: timelines and lineage read, with each value's kind. Lists (domains, organizations, sources, base
#: models) are JSON arrays; ``released`` is the middle of the stated period, ``released_text`` as stated.
analysis_rows = Table(
    "analysis_rows",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("version_of", String(100)),
    Column("released", Date),
    Column("released_text", String(10)),
    Column("date_precision", String(5)),
    Column("domain", String(20), nullable=False),
    Column("domains", Text, nullable=False),
    Column("openness", String(30)),
    Column("open_weights", Boolean, nullable=False),
    Column("organization", String(100)),
    Column("organization_name", Text),
    Column("organization_name_zh", Text),
    Column("organizations", Text, nullable=False),
    Column("org_kind", String(20)),
    Column("country", String(2)),
    Column("parameters", Float),
    Column("parameters_kind", String(10)),
    Column("active_parameters", Float),
    Column("tokens", Float),
    Column("tokens_kind", String(10)),
    Column("compute", Float),
    Column("compute_method", String(10)),
    Column("cost_usd", Float),
    Column("cost_kind", String(10)),
    Column("co2e_t", Float),
    Column("co2e_kind", String(10)),
    Column("sources", Text, nullable=False),
    Column("base_models", Text, nullable=False),
    Column("notable", Boolean, nullable=False),
    # the notable models' ids read from the index alone, not the table's wide rows (population=notable:
    # ``store.filter_sql.population_condition``; migration 0016)
    Index("ix_analysis_rows_notable", "notable", "id"),
)

hardware = Table(
    "hardware",
    metadata,
    _model_fk(),
    Column("purpose", String(12), nullable=False),
    Column("precision", String(5)),
    Column("gpu_memory_gb", Float),
    Column("gpu", Text),
    Column("note", Text),
    Column("source_id", String(100), nullable=False),
)

evaluations = Table(
    "evaluations",
    metadata,
    _model_fk(),
    Column("benchmark_id", String(100), ForeignKey("benchmarks.id"), nullable=False),
    Column("metric", Text, nullable=False),
    Column("value_num", Float),
    Column("value_text", Text),
    Column("date", Date),
    Column("source_id", String(100), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("model_id", String(100), ForeignKey("models.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", String(100), nullable=False),
    Column("url", Text),
    Column("citation", Text),
    Column("title", Text),
    Column("accessed", Date, nullable=False),
    Column("note", Text),
    Column("kind", String(10), nullable=False, server_default="stated"),
    #: The fields the source backs, a JSON array (NULL for none); the view ``source_fields`` gives a row
    #: for each, as the table of that name did until migration 0018.
    Column("fields", Text),
    # when a model entered the atlas (its earliest ``accessed``) read from the index alone: migration 0015
    Index("ix_sources_model_accessed", "model_id", "accessed"),
)

status_notes = Table(
    "status_notes",
    metadata,
    _model_fk(),
    Column("date", Date, nullable=False),
    Column("precision", String(5), nullable=False),
    Column("note", Text, nullable=False),
    Column("source_id", String(100), nullable=False),
)

disputes = Table(
    "disputes",
    metadata,
    _model_fk(),
    Column("field", String(40), nullable=False),
    Column("value", Text, nullable=False),
    Column("source_id", String(100), nullable=False),
    Column("note", Text),
)

estimates = Table(
    "estimates",
    metadata,
    _model_fk(),
    Column("field", String(40), nullable=False),
    Column("value", Float, nullable=False),
    Column("by", Text, nullable=False),
    Column("method", Text),
    Column("confidence", String(12)),
    Column("source_id", String(100), nullable=False),
    Column("note", Text),
)

build_info = Table(
    "build_info",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

conflicts = Table(
    "conflicts",
    metadata,
    _model_fk(),
    Column("field", String(40), nullable=False),
    Column("kept", Text),
    Column("other", Text, nullable=False),
    Column("source_id", String(100), nullable=False),
    Column("source_url", Text),
    Column("origin", Text, nullable=False),
    Column("magnitude", Float),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("key", Text, nullable=False, unique=True),
    Column("format", String(30), nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("imported_at", Text, nullable=False),
)

import_rows = Table(
    "import_rows",
    metadata,
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("line", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("action", String(10), nullable=False),
    Column("model_id", String(100)),
    Column("matched_by", Text),
    Column("detail", Text),
)


# What live sources told us. Unlike everything above, these tables are not rebuilt from the catalog:
# a build carries their rows over into the new store (``KEPT``). They key on the source's own reference
# (a Hub repo, an arXiv id, a GitHub owner/repo), not on a model id, so history outlives a renamed model.

sync_state = Table(
    "sync_state",
    metadata,
    Column("source", String(10), primary_key=True),
    Column("ref", String(200), primary_key=True),
    Column("status", String(10), nullable=False),
    Column("detail", Text),
    Column("checked_at", String(20), nullable=False, index=True),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("source", String(10), primary_key=True),
    Column("ref", String(200), primary_key=True),
    Column("metric", String(30), primary_key=True),
    Column("observed_at", String(20), primary_key=True),
    Column("value", Float, nullable=False),
    Index("ix_snapshots_metric_observed_at", "metric", "observed_at"),
)

observations = Table(
    "observations",
    metadata,
    Column("source", String(10), primary_key=True),
    Column("ref", String(200), primary_key=True),
    Column("field", String(40), primary_key=True),
    Column("value", Text, nullable=False),
    Column("observed_at", String(20), nullable=False),
)

candidates = Table(
    "candidates",
    metadata,
    Column("key", String(220), primary_key=True),
    Column("source", String(10), nullable=False),
    Column("ref", String(200), nullable=False),
    Column("name", Text, nullable=False),
    Column("organization", Text),
    Column("url", Text, nullable=False),
    Column("published", String(10)),
    Column("detail", Text, nullable=False),
    Column("found_at", String(20), nullable=False),
    Column("status", String(10), nullable=False, index=True),
    Column("decided_at", String(20)),
    Column("model_id", String(100)),
    Column("reason", Text),
)

http_cache = Table(
    "http_cache",
    metadata,
    Column("url", String(1000), primary_key=True),
    Column("etag", Text, nullable=False),
    Column("headers", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("stored_at", String(20), nullable=False),
)

# The default views of the pages and the API (``web.refresh``), computed once at the end of a build and
# read by every worker: ``key`` is the view's key as ``web.views.per_build`` keeps it (its ``repr``),
# ``stamp`` the build it was computed from (``queries.build_stamp``), ``value`` the view serialised
# (``web.stored_views``). Not carried by a build: each build computes its own.
kept_views = Table(
    "kept_views",
    metadata,
    Column("key", Text, primary_key=True),
    Column("stamp", String(100), nullable=False),
    Column("value", LargeBinary, nullable=False),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("source", String(10), nullable=False),
    Column("started_at", String(20), nullable=False),
    Column("finished_at", String(20)),
    Column("status", String(10), nullable=False),
    Column("checked", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("requests", Integer, nullable=False, default=0),
    Column("discovered", Integer),
    Column("note", Text),
)

# The whole Hub listing (``sync --source hf --all``): one row per Hub model repo, whatever the catalog
# holds, its base models, its counts per sync date, and where the listing stopped. A run appends each
# page to ``hub_staged`` and ``hub_staged_bases`` (appending is cheap; upserting a million rows keyed by
# repo id, one page at a time, writes pages all over the key's B-tree at every commit), then merges them
# into ``hub_repos``, ``hub_bases`` and ``hub_snapshots`` in one sorted pass when the listing is done.


def _listed() -> list[Column[Any]]:
    """What the listing says of a repo, after its id: the columns ``hub_repos`` and ``hub_staged`` share."""
    return [
        Column("author", String(100)),
        Column("created_at", String(24)),
        Column("last_modified", String(24)),
        Column("pipeline_tag", String(60)),
        Column("library", String(60)),
        Column("licence", String(100)),
        Column("gated", String(10)),
        Column("parameters", BigInteger),
        Column("downloads", BigInteger),
        Column("likes", BigInteger),
    ]


hub_repos = Table(
    "hub_repos",
    metadata,
    Column("id", String(200), primary_key=True),
    *_listed(),
    Column("listed_on", String(10), nullable=False),
    sqlite_with_rowid=False,
)

hub_bases = Table(
    "hub_bases",
    metadata,
    Column("repo_id", String(200), primary_key=True),
    Column("base", String(200), primary_key=True),
    Column("relation", String(10), primary_key=True),
    Column("stated", Boolean, nullable=False),
    # the month the derivative was created (YYYY-MM): ``ecosystem`` counts from this index alone
    Column("month", String(7)),
    Index("ix_hub_bases_base_relation", "base", "relation", "month"),
    sqlite_with_rowid=False,
)

hub_snapshots = Table(
    "hub_snapshots",
    metadata,
    Column("observed_on", String(10), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("repo_id", String(200), nullable=False),
    Column("downloads", BigInteger),
    Column("likes", BigInteger),
    sqlite_with_rowid=False,
)

hub_staged = Table(
    "hub_staged",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("id", String(200), nullable=False),
    *_listed(),
)

hub_staged_bases = Table(
    "hub_staged_bases",
    metadata,
    Column("repo_id", String(200), nullable=False),
    Column("base", String(200), nullable=False),
    Column("relation", String(10), nullable=False),
    Column("stated", Boolean, nullable=False),
    # the repo's creation month, staged with the relation so the merge dates it without a lookup
    Column("month", String(7)),
)

hub_listing = Table(
    "hub_listing",
    metadata,
    Column("listing", String(20), primary_key=True),
    Column("run_on", String(10), nullable=False),
    Column("started_at", String(20), nullable=False),
    Column("next_url", Text),
    Column("pages", Integer, nullable=False),
    Column("records", BigInteger, nullable=False),
    Column("finished_at", String(20)),
)

# The listing's field, summed up once per finished listing (``live.landscape_tables.refresh``, at the end
# of the merge) so that ``ecosystem``, its page and the model pages read a few thousand rows, not the
# million relations. Months are ``YYYY-MM``, ``''`` when the derivative's creation date is unknown.

hub_base_months = Table(
    "hub_base_months",
    metadata,
    Column("base", String(200), primary_key=True),
    Column("month", String(7), primary_key=True),
    # repos deriving from the base, created that month, each once; then the repos per relation
    Column("derivatives", Integer, nullable=False),
    Column("finetunes", Integer, nullable=False),
    Column("adapters", Integer, nullable=False),
    Column("quantized", Integer, nullable=False),
    Column("merges", Integer, nullable=False),
    sqlite_with_rowid=False,
)

hub_base_totals = Table(
    "hub_base_totals",
    metadata,
    Column("base", String(200), primary_key=True),
    Column("derivatives", Integer, nullable=False, index=True),
    # the base repo's own createdAt (when the listing has it), its 1st and 10th quantized copies'
    Column("created_at", String(24)),
    Column("first_quantized", String(24)),
    Column("tenth_quantized", String(24)),
    sqlite_with_rowid=False,
)

# The relations of the derivatives with more than one base: what adding up several bases' counts must
# take off so that such a derivative counts once.
hub_shared = Table(
    "hub_shared",
    metadata,
    Column("repo_id", String(200), primary_key=True),
    Column("base", String(200), primary_key=True),
    Column("relation", String(10), primary_key=True),
    Column("month", String(7), nullable=False),
    Index("ix_hub_shared_base", "base"),
    sqlite_with_rowid=False,
)

# The relations whose derivative is itself a base: the inner nodes of the model trees, which
# ``ecosystem --depth all`` walks instead of every derivative.
hub_inner = Table(
    "hub_inner",
    metadata,
    Column("base", String(200), primary_key=True),
    Column("repo_id", String(200), primary_key=True),
    sqlite_with_rowid=False,
)

# Totals of the whole field: ``kind`` is ``month`` (derivatives per base added up, per month),
# ``licence`` or ``pipeline`` (derivatives, each once, per licence or pipeline tag; ``''`` for none).
hub_field = Table(
    "hub_field",
    metadata,
    Column("kind", String(10), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("derivatives", Integer, nullable=False),
)

#: Tables whose rows a build copies from the store it replaces, parents first.
KEPT = ("sync_state", "snapshots", "observations", "candidates", "http_cache", "sync_runs")
#: The listing's summary tables (``live.landscape_tables``): carried by a build like the listing.
SUMMARY = ("hub_base_months", "hub_base_totals", "hub_shared", "hub_inner", "hub_field")
#: Tables a build copies from the store it replaces inside the database, too large to read into memory.
STREAMED = (
    "hub_repos",
    "hub_bases",
    "hub_snapshots",
    "hub_staged",
    "hub_staged_bases",
    "hub_listing",
    *SUMMARY,
)
