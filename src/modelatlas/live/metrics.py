"""The counts that syncs record as snapshots, and the source that reports each (see ``trending``).

A module of its own, with no imports, so that the command line can name the metrics in its help
without importing the store.
"""

from __future__ import annotations

__all__ = ["METRICS"]

#: Each metric and the source that reports it.
METRICS = {
    "likes": "hf",
    "downloads": "hf",
    "downloads_all_time": "hf",
    "stars": "github",
    "forks": "github",
}
