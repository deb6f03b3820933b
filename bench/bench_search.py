"""Search latency at scale: 1,000,000 generated posts, the gate inside the query.

Generates the organization with the demo generator (or reuses it with --reuse), rebuilds the
search index (timed: the index build rate), measures the index's size, then times searches of
sampled members with queries made of words from the corpus, through the function the search
page and the API call (`waggle.search.query.search`: match, gate, count, one page of hits with
snippets) and through the page itself (`GET /search/?q=`, Django's test client in-process).
In the same run it times a plain BM25 library (bm25s) retrieving the top 20 of the same texts
(no gate, no count, no snippets), the speed anchor, and reports the ratio.

    .venv/bin/python bench/bench_search.py                       # PostgreSQL: generate, measure
    .venv/bin/python bench/bench_search.py --reuse               # measure the existing data set
    .venv/bin/python bench/bench_search.py --database-url sqlite:///var/bench-search.sqlite3
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import add_organization_arguments, data_set_problem, pick_members, setup_django  # noqa: E402 - the benchmarks' shared module

RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/waggle_bench_search"
TARGET_LEXICAL_P95_MS = 30.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_organization_arguments(parser, DEFAULT_URL)
    parser.add_argument("--no-rebuild", action="store_true",
                        help="with --reuse: keep the index as it is (no build timing)")
    parser.add_argument("--queries", type=int, default=300, help="timed searches")
    parser.add_argument("--no-anchor", action="store_true", help="skip the bm25s anchor")
    parser.add_argument("--no-record", action="store_true")
    return parser.parse_args(argv)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def index_size_mb(connection: Any) -> tuple[float, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('search_searchentry'), "
                           "pg_relation_size('search_document_gin')")
            total, gin = cursor.fetchone()
            return total / 2**20, f"table + indexes; GIN alone {gin / 2**20:,.0f} MB"
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_fts_%' "
                       "AND type = 'table'")
        names = [r[0] for r in cursor.fetchall()]
        try:
            cursor.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN ("
                + ", ".join(["%s"] * len(names)) + ")",
                names,
            )
            fts = cursor.fetchone()[0] or 0
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name = 'search_searchentry'")
            table = cursor.fetchone()[0] or 0
            return (fts + table) / 2**20, f"FTS5 tables alone {fts / 2**20:,.0f} MB"
        except Exception:  # noqa: BLE001 - dbstat is optional in SQLite builds
            return 0.0, "dbstat not available"


def sample_queries(rng: random.Random, n: int) -> list[str]:
    """Queries people would type: one to three topic words of a real post title, some as a
    phrase, some with OR."""
    from waggle.exchange.models import Post
    from waggle.search.similar import FILLER

    max_id = Post.objects.order_by("-id").values_list("id", flat=True).first() or 1
    queries: list[str] = []
    while len(queries) < n:
        title = (Post.objects.filter(id__gte=rng.randint(1, max_id)).exclude(title="")
                 .order_by("id").values_list("title", flat=True).first())
        if not title:
            continue
        words = [w for w in re.findall(r"[A-Za-z]{3,}", title) if w.lower() not in FILLER]
        if not words:
            continue
        shape = rng.random()
        if shape < 0.4:
            queries.append(rng.choice(words).lower())
        elif shape < 0.8 or len(words) < 2:
            queries.append(" ".join(rng.sample(words, min(2, len(words)))).lower())
        elif shape < 0.9:
            start = rng.randrange(len(words) - 1)
            queries.append('"' + " ".join(words[start:start + 2]).lower() + '"')
        else:
            queries.append(" OR ".join(rng.sample(words, 2)).lower())
    return queries


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    setup_django(args.database_url, reuse=args.reuse, recreate=args.recreate)
    from django.db import connection
    from django.test import Client

    from waggle.demo.generator import do_generate_demo_organization
    from waggle.exchange.models import Post
    from waggle.search.index import rebuild_index
    from waggle.search.models import SearchEntry
    from waggle.search.query import engine_name, search

    notes: list[str] = []
    problem = data_set_problem(args.reuse)
    if problem:
        print(problem)
        return 2
    if not args.reuse:
        print(f"Generating {args.people:,} people and {args.posts:,} posts ...", flush=True)
        generated = do_generate_demo_organization(people=args.people, seed=args.seed,
                                                  posts=args.posts, progress=True)
        notes.append(f"Generation with indexing: {generated.seconds:.0f} s.")
    posts = Post.objects.count()
    if not args.no_rebuild:
        print("Rebuilding the search index (timed) ...", flush=True)
        started = time.monotonic()
        entries = rebuild_index()
        build_s = time.monotonic() - started
        notes.append(f"Index build (`waggle search rebuild`): {entries:,} entries (posts and "
                     f"comments) in {build_s:.0f} s = {entries / build_s:,.0f} entries/s.")
    entries = SearchEntry.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    size_mb, size_note = index_size_mb(connection)
    notes.append(f"Index size: {size_mb:,.0f} MB ({size_note}).")

    rng = random.Random(args.seed)
    members = pick_members(rng, 40)
    queries = sample_queries(rng, args.queries)

    # Warm-up (caches, the planner, Python imports), then the timed pass.
    for i, text in enumerate(queries[:30]):
        search(members[i % len(members)], text)
    core_ms: list[float] = []
    totals: list[int] = []
    for i, text in enumerate(queries):
        started = time.perf_counter()
        results = search(members[i % len(members)], text)
        core_ms.append((time.perf_counter() - started) * 1000)
        totals.append(results.total)

    page_ms: list[float] = []
    clients = []
    for person in members:
        client = Client()
        client.force_login(person)
        client.get("/")
        clients.append(client)
    for i, text in enumerate(queries[: max(50, args.queries // 3)]):
        started = time.perf_counter()
        response = clients[i % len(clients)].get("/search/", {"q": text})
        page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code

    rows = [
        ("search() (gate, count, 20 hits, snippets)", core_ms),
        ("search page GET /search/?q=", page_ms),
    ]
    if not args.no_anchor:
        rows.append(bm25s_anchor(queries, notes))
    table = render(rows, engine_name(), posts, entries, totals)
    print("\n" + table + "\n" + "\n".join(f"- {n}" for n in notes))
    if not args.no_record:
        record(table, notes, args, argv, engine_name(), posts, entries)
    return 0


def bm25s_anchor(queries: list[str], notes: list[str]) -> tuple[str, list[float]]:
    """The same texts in bm25s (in memory, no gate): top 20 per query."""
    import bm25s

    from waggle.search.models import SearchEntry

    texts = [f"{t} {b}" for t, b in SearchEntry.objects.values_list("title", "body").iterator(
        chunk_size=10_000)]
    started = time.monotonic()
    tokenizer = bm25s.tokenization.Tokenizer(stopwords="en")
    tokens = tokenizer.tokenize(texts, show_progress=False, return_as="tuple")
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    notes.append(f"bm25s index of the same {len(texts):,} texts: "
                 f"{time.monotonic() - started:.0f} s (in memory).")
    del texts
    timings = []
    for text in queries:
        plain = text.replace('"', "").replace(" OR ", " ")
        started = time.perf_counter()
        # The index's own vocabulary, not a new one per query (bm25s's fast path).
        ids = tokenizer.tokenize([plain], update_vocab=False, show_progress=False,
                                 return_as="ids")
        if ids and ids[0]:
            retriever.retrieve(ids, k=20, show_progress=False, n_threads=1)
        timings.append((time.perf_counter() - started) * 1000)
    return ("bm25s anchor (top 20, no gate, no count, no snippets)", timings)


def render(rows: list[tuple[str, list[float]]], engine: str, posts: int, entries: int,
           totals: list[int]) -> str:
    lines = [
        f"Engine: {engine}; {posts:,} posts, {entries:,} search entries; "
        f"{len(totals)} queries, median {statistics.median(totals):,.0f} matches "
        f"(max {max(totals):,}).",
        "",
        "| what | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, timings in rows:
        lines.append(f"| {name} | {pct(timings, 0.5):.1f} | {pct(timings, 0.95):.1f} | "
                     f"{max(timings):.1f} |")
    if len(rows) > 2:
        ratio = pct(rows[0][1], 0.95) / pct(rows[2][1], 0.95)
        lines.append("")
        lines.append(f"search() p95 / bm25s p95 = {ratio:.1f}x; target: search() p95 <= "
                     f"{TARGET_LEXICAL_P95_MS:.0f} ms.")
    return "\n".join(lines)


def record(table: str, notes: list[str], args: argparse.Namespace, argv: list[str],
           engine: str, posts: int, entries: int) -> None:
    with open(RESULTS, "a") as f:
        f.write(
            f"\n## Search at scale ({engine}), {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"Machine: {platform.node()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}. Data: the demo generator, seed {args.seed}, "
            f"{args.people:,} people. Command: `.venv/bin/python bench/bench_search.py "
            f"{shlex.join(argv)}`\n\n{table}\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
