"""Consistency checks over the catalog, imported lists and the store: ``modelatlas check``.

Every check is one function in a topic module, registered with an id and a severity (see ``registry``).
Importing this package registers them all.
"""

from modelatlas.checks import dates, estimates, licenses, links, papers, provenance, schema, sizes, text
from modelatlas.checks.registry import CHECKS, Check, Finding, Hit, Severity
from modelatlas.checks.run import pick_checks, run_checks
from modelatlas.checks.subjects import Context, Loaded, Subject, from_catalog, from_input, from_store

__all__ = [
    "CHECKS",
    "Check",
    "Context",
    "Finding",
    "Hit",
    "Loaded",
    "Severity",
    "Subject",
    "dates",
    "estimates",
    "from_catalog",
    "from_input",
    "from_store",
    "licenses",
    "links",
    "papers",
    "pick_checks",
    "provenance",
    "run_checks",
    "schema",
    "sizes",
    "text",
]
