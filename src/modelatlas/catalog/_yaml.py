"""Read YAML keeping the node tree, so that any field of a record can be traced to its line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Located", "YamlFault", "dotted", "line_of", "read_yaml"]

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader that leaves dates as text, so the schema (not YAML) judges them and names the line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class Located:
    """A parsed YAML document and the node tree it came from."""

    data: Any
    node: yaml.Node | None


@dataclass(frozen=True, slots=True)
class YamlFault:
    """A problem found while reading YAML: a syntax error or a duplicate key."""

    line: int
    field: str
    message: str


def read_yaml(path: Path) -> tuple[Located | None, list[YamlFault]]:
    """Parse ``path``; return the document (None when it cannot be parsed) and the faults found."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [YamlFault(1, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        alias = _first_alias(node)
        if alias is not None:  # a 342-byte "billion laughs" file kept validate busy for minutes
            why = "a YAML anchor (&name) used again by an alias (*name): catalog files may not use aliases"
            return None, [YamlFault(alias.start_mark.line + 1, "", why)]
        faults = list(_duplicate_keys(node, ()))
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [YamlFault(line, "", f"YAML syntax error: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [YamlFault(1, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    return Located(data, node), faults


def _first_alias(root: yaml.Node | None) -> yaml.Node | None:
    """The second place a node appears in the tree (an alias of an anchor), if any; each node is looked
    at once, however often it is referred to."""
    seen: set[int] = set()
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if id(node) in seen:
            return node
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            todo.extend(child for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return None


def _duplicate_keys(node: yaml.Node | None, path: tuple[str | int, ...]) -> Iterator[YamlFault]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                yield YamlFault(key.start_mark.line + 1, dotted((*path, name)), "duplicate key")
            seen.add(name)
            yield from _duplicate_keys(value, (*path, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*path, index))


def line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int:
    """The 1-based line of the deepest node along ``loc`` (a pydantic error location); 1 if none."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if str(key.value) == str(part):
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                continue  # a pydantic-internal step (a union branch name); stay on this node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
