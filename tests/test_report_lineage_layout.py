"""The lineage chart's layout: the most built-upon model is always drawn, and no edge crosses a name."""

from __future__ import annotations

import networkx as nx

from modelatlas.report.lineage_layout import layout


def _graph() -> nx.DiGraph[str]:
    """A hub with five derivatives (one of which has two of its own) and a family of three."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    for node, year in [("hub", 2020), *((f"d{i}", 2021 + i) for i in range(5)), ("g1", 2024), ("g2", 2025)]:
        graph.add_node(node, name=node.upper(), released=f"{year}-01-01")
    for i in range(5):
        graph.add_edge("hub", f"d{i}", relation="fine-tune")
    graph.add_edge("d3", "g1", relation="quantize")
    graph.add_edge("d3", "g2", relation="distill")
    for node in ("a", "b", "c"):
        graph.add_node(node, name=node.upper(), released="2019-01-01")
    graph.add_edge("a", "b", relation="fine-tune")
    graph.add_edge("b", "c", relation="merge")
    return graph


def test_the_family_of_the_most_built_upon_model_comes_first_in_part_when_too_large() -> None:
    placed = layout(_graph(), max_nodes=7)  # the hub's family of 8 does not fit: 3 of it, the rest after
    assert list(placed.nodes["id"]) == ["hub", "d0", "d3", "a", "b", "c"]  # d3, built upon, before d1
    assert (placed.hub, placed.hidden, placed.family) == ("HUB", 5, 8)
    whole = layout(_graph(), max_nodes=20)
    assert whole.hidden == 0 and set(whole.nodes["id"]) == set(_graph().nodes)
    assert list(whole.nodes["id"][:3]) == ["hub", "d0", "d1"]


def test_a_focus_is_drawn_even_when_its_family_is_not_the_largest() -> None:
    assert list(layout(_graph(), max_nodes=3, focus="b").nodes["id"]) == ["a", "b", "c"]
    assert "b" not in set(layout(_graph(), max_nodes=3).nodes["id"])


def test_every_model_has_its_own_row_and_edges_run_down_then_right() -> None:
    placed = layout(_graph(), max_nodes=20)
    nodes, edges = placed.nodes.set_index("id"), placed.edges
    assert nodes["y"].is_unique
    assert list(nodes.loc[["hub", "d3", "g1"], "x"]) == [0.0, 1.0, 2.0]
    assert len(edges) == 2 * _graph().number_of_edges()
    rows = {y: x for x, y in zip(nodes["x"], nodes["y"], strict=True)}
    for _, edge in edges.iterrows():
        if edge["x"] == edge["x2"]:  # down the parent's column: only its descendants' rows, further right
            between = [rows[y] for y in rows if min(edge["y"], edge["y2"]) < y < max(edge["y"], edge["y2"])]
            assert all(x > edge["x"] for x in between)
        else:  # along the child's row, to the child, whose name is on its right
            assert edge["y"] == edge["y2"] and edge["x2"] == rows[edge["y"]] > edge["x"]
    assert nodes.loc["g2", "built_on"] == "D3" and nodes.loc["g2", "relation"] == "distill"
