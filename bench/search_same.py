"""Dump what search answers on a store, to compare two commits: the same hits, order, scores, names.

For about 210 queries (fixed ones, then substrings, whole names, typos and leading words of the store's
own names, drawn with a fixed seed: 1 to 6 characters, Chinese, ``_`` and ``%``) it writes to ``--out``
every hit of ``queries.search`` at ``limit=5000`` (as the models page and the API ask) and at 20 (as
``modelatlas search`` does), and the first 120 queries' models pages (``views.browse_page``, by
relevance, with facets), as JSON. ``--compare A B`` prints how many answers of two dumps differ.

    PYTHONPATH=/tmp/old/src .venv/bin/python bench/search_same.py --db sqlite:////tmp/a.db --out a.json
    PYTHONPATH=src .venv/bin/python bench/search_same.py --db sqlite:////tmp/a.db --out b.json
    .venv/bin/python bench/search_same.py --compare a.json b.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from typing import Any

from sqlalchemy import select

from modelatlas.store import queries
from modelatlas.store import tables as T
from modelatlas.store.engine import make_engine
from modelatlas.web import views
from modelatlas.web.deps import default_browse

FIXED = (
    "r1 qw v1 v12 v11 v19 llama|llama 3|llama-3|qwen|qwen2|Qwen2.5|千问|通义千问|混元|清华|腾讯|深度|gpt"
    "|gpt-4|a|b|x|7|3|1.5|3.1|v|_|%|a_b|%1|r_1|10%|/|mistral 7b|mixtral 8x7b|deepseek r1|DeepSeek-R1"
    "|whisper v3|bert|t5|yi|glm|pangu σ|PanGu-Σ|lama|lamma|qwenn|mistrl|gemmaa|bioemu|pixtral|o-series"
    "|intern|megatron|café|ЯндексGPT|llama.cpp|c++|a+b|q.w|v1.2|8x7b|70b|350m|a22b|..|llama   3|LLAMA3"
    "|stable diffusion|diffusion|sd|xl|1|12|123|v120|phi|phi-3|claude|palm|ernie|文心|百川|智谱|月之暗面"
)
PAGES = 120


def _queries(names: list[str], count: int = 210) -> list[str]:
    rnd = random.Random(18)
    found = [q for part in FIXED.split("|") for q in (part.split(" ") if part.startswith("r1 ") else [part])]
    while len(found) < count and names:
        name, kind = rnd.choice(names), rnd.random()
        if kind < 0.35:  # a substring
            k = rnd.randint(1, 6)
            i = rnd.randint(0, max(0, len(name) - k))
            query = name[i : i + k]
        elif kind < 0.55:  # the whole name
            query = name
        elif kind < 0.75:  # a typo: a letter dropped or changed
            i = rnd.randrange(len(name))
            query = (
                name[:i] + name[i + 1 :]
                if rnd.random() < 0.5
                else name[:i] + rnd.choice("aeioux") + name[i + 1 :]
            )
        else:  # its first words
            words = name.replace("-", " ").split()
            query = " ".join(words[: rnd.randint(1, max(1, len(words)))])
        if query.strip():
            found.append(query)
    return found


def dump(db: str) -> dict[str, Any]:
    engine = make_engine(db)
    with engine.connect() as conn:
        names = list(conn.execute(select(T.model_names.c.name).order_by(T.model_names.c.model_id)).scalars())
        asked = _queries(names)
        answers: dict[str, Any] = {}
        for query in asked:
            answers[f"search {query}"] = [
                dataclasses.astuple(h) for h in queries.search(conn, query, limit=5000)
            ]
            answers[f"search20 {query}"] = [dataclasses.astuple(h) for h in queries.search(conn, query)]
    base = default_browse()
    for query in asked[:PAGES]:
        page = views.browse_page(engine, dataclasses.replace(base, text=query, sort="relevance"))
        answers[f"page {query}"] = json.loads(json.dumps(dataclasses.asdict(page), default=str))
    return {"queries": asked, "answers": answers}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the store's SQLAlchemy URL")
    parser.add_argument("--out", help="where to write the dump")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="two dumps to compare")
    args = parser.parse_args()
    if args.compare:
        a, b = (json.load(open(path, encoding="utf-8")) for path in args.compare)
        differ = [k for k in a["answers"] if a["answers"][k] != b["answers"].get(k)]
        same = a["queries"] == b["queries"]
        print(f"{len(a['answers'])} answers, {len(differ)} differ; same queries: {same}")
        for key in differ[:10]:
            print("differs:", key)
        return 1 if differ or not same else 0
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(dump(args.db), out, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
