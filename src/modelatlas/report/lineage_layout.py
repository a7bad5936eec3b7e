"""Where the lineage chart draws each model and each edge: an indented tree per family.

Each model has a row of its own and its generation for a column; its children follow it, each with its
subtree, before its next sibling. An edge runs down the parent's column, then right along the child's
row to the child: the parent's column below it holds only the parent's descendants (further right), and
the child's row only the child, whose name is written to the right of its dot. So no edge crosses a
name, however long, which the old layout (a parent level with its middle child, edges straight from dot
to dot) could not promise.

The family of the model most built upon (or of ``focus``) always comes first: whole when it fits, else
that model, its ancestors and as many of its descendants (the most built upon first) as half the chart
holds, with how many were left out. The other families follow, largest first, while they fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

__all__ = ["Layout", "layout"]


@dataclass(frozen=True, slots=True)
class Layout:
    #: id, name, x (generation), y (row), built_on (the names of its parents shown), relation.
    nodes: pd.DataFrame
    #: One row per segment: x, y, x2, y2, relation.
    edges: pd.DataFrame
    #: The model whose family comes first (its name), and how many of its family were left out.
    hub: str | None
    hidden: int
    family: int


def layout(graph: nx.DiGraph[str], max_nodes: int, focus: str | None = None) -> Layout:
    """The chart's layout of ``graph``, at most ``max_nodes`` models."""
    families = [f for f in nx.weakly_connected_components(graph) if len(f) > 1]
    if not families:
        return Layout(_nodes([]), _edges([]), None, 0, 0)
    hub: str = (
        focus
        if focus is not None and focus in graph
        else max(graph.nodes, key=lambda n: (graph.out_degree(n), _key(graph, n)))
    )
    first = next(f for f in families if hub in f)
    chosen = set(first) if len(first) <= max_nodes else _trimmed(graph, hub, max_nodes // 2)
    shown = [chosen]
    room = max_nodes - len(chosen)
    for family in sorted(families, key=lambda f: (-len(f), min(f))):
        if family is not first and len(family) <= room:
            shown.append(set(family))
            room -= len(family)
    rows: list[dict[str, Any]] = []
    for part in shown:
        _place(graph.subgraph(part), rows)
    where = {row["id"]: (row["x"], row["y"]) for row in rows}
    segments = []
    for a, b, data in graph.edges(data=True):
        if a in where and b in where:
            (xa, ya), (xb, yb) = where[a], where[b]
            segments.append({"x": xa, "y": ya, "x2": xa, "y2": yb, "relation": data["relation"]})
            segments.append({"x": xa, "y": yb, "x2": xb, "y2": yb, "relation": data["relation"]})
    name = str(graph.nodes[hub].get("name", hub))
    return Layout(_nodes(rows), _edges(segments), name, len(first) - len(chosen), len(first))


def _trimmed(graph: nx.DiGraph[str], hub: str, size: int) -> set[str]:
    """``hub``, its ancestors, and its descendants nearest first (the most built upon first) up to
    ``size`` models in all."""
    chosen = {hub} | nx.ancestors(graph, hub)
    frontier = [hub]
    while frontier and len(chosen) < size:
        children = sorted(
            {c for n in frontier for c in graph.successors(n) if c not in chosen},
            key=lambda c: (-graph.out_degree(c), _key(graph, c)),
        )
        taken = children[: size - len(chosen)]
        chosen.update(taken)
        frontier = taken
    return chosen


def _place(family: Any, rows: list[dict[str, Any]]) -> None:
    """Append ``family``'s models to ``rows`` in pre-order, one row each, after a blank row."""
    generation = _generations(family)
    start = rows[-1]["y"] + 2 if rows else 0

    def visit(node: str, row: int) -> int:
        parents = sorted(family.predecessors(node), key=lambda p: _key(family, p))
        rows.append(
            {
                "id": node,
                "name": family.nodes[node].get("name", node),
                "x": float(generation[node]),
                "y": float(row),
                "built_on": "; ".join(str(family.nodes[p].get("name", p)) for p in parents),
                "relation": "; ".join(str(family.edges[p, node]["relation"]) for p in parents),
            }
        )
        placed.add(node)
        row += 1
        for child in sorted(family.successors(node), key=lambda c: _key(family, c)):
            if child not in placed:
                row = visit(child, row)
        return row

    placed: set[str] = set()
    row = start
    for root in sorted((n for n in family if family.in_degree(n) == 0), key=lambda n: _key(family, n)):
        row = visit(root, row)
    for node in sorted(family, key=lambda n: _key(family, n)):  # a cycle has no root
        if node not in placed:
            row = visit(node, row)


def _key(graph: Any, node: str) -> tuple[str, str]:
    return str(graph.nodes[node].get("released") or "9999"), node


def _generations(family: Any) -> dict[str, int]:
    """Each node's longest distance from a root of its family (a DAG; a cycle falls back to 0)."""
    try:
        order = list(nx.topological_sort(family))
    except nx.NetworkXUnfeasible:
        return dict.fromkeys(family, 0)
    level: dict[str, int] = {}
    for node in order:
        level[node] = max((level[p] + 1 for p in family.predecessors(node)), default=0)
    return level


def _nodes(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "name", "x", "y", "built_on", "relation"])


def _edges(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["x", "y", "x2", "y2", "relation"])
