"""The family tree of models: a directed graph from each base model to the models built on it.

Edges carry the relation (``fine-tune``, ``instruction-tune``, ``distill``…) and the method when known.
A base model that the catalog names but does not hold is still a node, marked ``known: false``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import networkx as nx
import pandas as pd
from networkx.readwrite import json_graph

from modelatlas.catalog.schema import Model
from modelatlas.errors import NotFound

__all__ = [
    "ancestors",
    "columns_graph",
    "depth",
    "descendants",
    "lineage_graph",
    "most_built_on",
    "stored_graph",
    "to_graphml",
    "to_json",
]


def lineage_graph(models: Iterable[Model]) -> nx.DiGraph[str]:
    """Nodes are model ids (with ``name``, ``released``, ``parameters``); edges run base → derivative."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    for model in models:
        graph.add_node(
            model.id,
            name=model.name,
            released=str(model.released) if model.released else "",
            parameters=model.parameters.total if model.parameters and model.parameters.total else 0,
            known=True,
        )
        for edge in model.base_models:
            if edge.model not in graph:
                graph.add_node(edge.model, name=edge.model, released="", parameters=0, known=False)
            graph.add_edge(edge.model, model.id, relation=edge.relation, method=edge.method or "")
    return graph


def stored_graph(
    rows: Iterable[Mapping[str, object]], edges: Iterable[Mapping[str, object]]
) -> nx.DiGraph[str]:
    """``lineage_graph`` from the store: rows of ``analysis_rows`` and of ``lineage``."""
    nodes = ((r["id"], r["name"], r["released_text"], r["parameters"], r["parameters_kind"]) for r in rows)
    return _graph(nodes, edges)


def columns_graph(
    columns: Mapping[str, Sequence[object]], edges: Iterable[Mapping[str, object]]
) -> nx.DiGraph[str]:
    """``stored_graph`` from ``analysis_rows`` as each column's values by name
    (``store.records.load_analysis_columns``)."""
    names = ("id", "name", "released_text", "parameters", "parameters_kind")
    return _graph(zip(*(columns[name] for name in names), strict=True), edges)


def _graph(
    nodes: Iterable[tuple[object, object, object, object, object]], edges: Iterable[Mapping[str, object]]
) -> nx.DiGraph[str]:
    """The graph of ``nodes`` (id, name, release as stated, parameters, their kind) and ``edges``."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    for model_id, name, released, parameters, kind in nodes:
        stated = parameters if kind == "stated" else None
        graph.add_node(
            str(model_id),
            name=name,
            released=released or "",
            parameters=int(stated) if isinstance(stated, float | int) and stated else 0,
            known=True,
        )
    for edge in edges:
        base, model = str(edge["base_id"]), str(edge["model_id"])
        if base not in graph:
            graph.add_node(base, name=base, released="", parameters=0, known=False)
        graph.add_edge(base, model, relation=edge["relation"], method=edge["method"] or "")
    return graph


def descendants(graph: nx.DiGraph[str], model_id: str) -> set[str]:
    """Every model built on ``model_id``, directly or through others."""
    return set(nx.descendants(graph, _node(graph, model_id)))


def ancestors(graph: nx.DiGraph[str], model_id: str) -> set[str]:
    """Every model ``model_id`` was built from, directly or through others."""
    return set(nx.ancestors(graph, _node(graph, model_id)))


def depth(graph: nx.DiGraph[str], model_id: str) -> int:
    """Generations between ``model_id`` and its furthest root: 0 for a model built on nothing."""
    node = _node(graph, model_id)
    return max((len(path) - 1 for path in _paths_from_roots(graph, node)), default=0)


def most_built_on(graph: nx.DiGraph[str], n: int = 10) -> pd.DataFrame:
    """Models by how many are built on them: ``direct`` children and ``total`` descendants."""
    rows = [
        {
            "id": node,
            "name": graph.nodes[node]["name"],
            "direct": graph.out_degree(node),
            "total": len(nx.descendants(graph, node)),
        }
        for node in graph
        if graph.out_degree(node)
    ]
    table = pd.DataFrame(rows, columns=["id", "name", "direct", "total"])
    return table.sort_values(["total", "direct", "id"], ascending=[False, False, True]).head(n)


def to_graphml(graph: nx.DiGraph[str], path: Path) -> None:
    """Write ``graph`` as GraphML (Gephi, yEd, Cytoscape read it)."""
    nx.write_graphml(graph, path)


def to_json(graph: nx.DiGraph[str]) -> dict[str, object]:
    """``graph`` as node-link JSON (``nodes`` and ``edges``), as d3 and networkx read it back."""
    data: dict[str, object] = json_graph.node_link_data(graph, edges="edges")
    return data


def _node(graph: nx.DiGraph[str], model_id: str) -> str:
    if model_id not in graph:
        raise NotFound(f"no model {model_id!r} in the lineage graph")
    return model_id


def _paths_from_roots(graph: nx.DiGraph[str], node: str) -> Iterable[list[str]]:
    roots = [a for a in nx.ancestors(graph, node) if graph.in_degree(a) == 0]
    for root in roots:
        yield from nx.all_simple_paths(graph, root, node)
