"""Hybrid search latency at scale: the organization of bench_search.py (1,000,000 generated
posts), its threads embedded, searched by words and meaning through the function the search
page and the API call (`waggle.search.query.search`), and "has this been asked?"
(`similar_questions`), visibility gate included.

How the threads get their vectors (`--vectors`):
- `threads`: `embeddings.embed_all`, exactly as `waggle search embed` (timed). On 2 CPUs the
  model encodes about 47 whole threads per second, so the ~485,000 threads of 1,000,000 posts
  take about 3 hours;
- `titles` (default): each thread stores the model's embedding of its title, written to the
  same table in the same format. The generator draws titles from a small vocabulary, so a few
  thousand distinct titles are encoded (a minute). The vectors' number, size and the code
  path searched are the product's; their content is coarser (threads with the same title get
  the same vector), which the recall figure accounts for (ties count as found).

Then it builds the approximate vector index (usearch HNSW; timed, size), loads it as a web
worker does, and times searches of sampled members with queries of words from the corpus;
each query is new to the process (the query-vector cache is cleared), so every timing
includes encoding the query. It also times the vector search alone, approximate and exact over
the same vectors, and reports the approximate index's recall of the exact nearest 50.

    .venv/bin/python bench/bench_search.py               # first: generate the organization
    .venv/bin/python bench/bench_search_hybrid.py --reuse
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_search import DEFAULT_URL, pct, sample_queries  # noqa: E402 - the sibling benchmark
from common import add_organization_arguments, pick_members, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
TARGET_HYBRID_P95_MS = 100.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_organization_arguments(parser, DEFAULT_URL)
    parser.add_argument("--vectors", choices=["titles", "threads"], default="titles",
                        help="what each thread's stored vector embeds (see above)")
    parser.add_argument("--queries", type=int, default=200, help="timed searches")
    parser.add_argument("--vector-dir", type=Path, default=ROOT / "var" / "bench-vectors")
    parser.add_argument("--no-embed", action="store_true",
                        help="use the embeddings already stored (no embedding step)")
    parser.add_argument("--no-build", action="store_true",
                        help="use the approximate index already saved in --vector-dir")
    parser.add_argument("--no-record", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    os.environ["WAGGLE_SEMANTIC"] = "auto"
    os.environ["WAGGLE_VECTOR_DIR"] = str(args.vector_dir)
    setup_django(args.database_url, reuse=args.reuse, recreate=args.recreate)
    from django.db import connection
    from tqdm import tqdm

    from waggle.exchange.models import Post
    from waggle.search import embeddings, hybrid, semantic, vectors
    from waggle.search.language import parse_query
    from waggle.search.query import search
    from waggle.search.similar import similar_questions

    if not Post.objects.exists():
        print("The database holds no posts: run bench/bench_search.py first.")
        return 2
    if not embeddings.enabled():
        print(f"Semantic ranking is off: {embeddings.why_disabled()}.")
        return 2
    notes: list[str] = []
    threads = embeddings.thread_count()
    if not args.no_embed and args.vectors == "threads":
        started = time.monotonic()
        with tqdm(total=threads, unit=" threads", desc="Embedding") as bar:
            counts = embeddings.embed_all(progress=bar.update)
        seconds = time.monotonic() - started
        notes.append(f"Embedding whole threads (`waggle search embed`): {counts.encoded:,} "
                     f"threads encoded in {seconds:.0f} s = "
                     f"{counts.encoded / max(seconds, 0.001):,.0f} threads/s "
                     f"({counts.unchanged:,} already current).")
    elif not args.no_embed:
        notes.append(embed_titles())
    embedded = embeddings.embedded_count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('search_threadembedding')"
                       if connection.vendor == "postgresql" else
                       # SQLite: the pages of the table and its indexes (the dbstat table).
                       "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (SELECT name "
                       "FROM sqlite_master WHERE tbl_name = 'search_threadembedding')")
        stored_mb = cursor.fetchone()[0] / 2**20
    notes.append(f"Stored vectors: {embedded:,} of {threads:,} threads, {stored_mb:,.0f} MB "
                 "in the database (table and indexes).")
    if not args.no_build:
        started = time.monotonic()
        meta = vectors.build_approximate()
        notes.append(f"Approximate index build (usearch HNSW, f16, connectivity "
                     f"{vectors.CONNECTIVITY}, expansion {vectors.EXPANSION_ADD}): "
                     f"{meta['vectors']:,} vectors in {time.monotonic() - started:.0f} s.")
    files = sum(p.stat().st_size for p in args.vector_dir.glob("*-*"))
    notes.append(f"Approximate index on disk: {files / 2**20:,.0f} MB (graph, vectors, ids).")
    vectors.forget()
    started = time.monotonic()
    index = vectors.current()
    notes.append(f"Loading it in a fresh process (memory-mapped, plus the rows changed since): "
                 f"{time.monotonic() - started:.1f} s; {len(index.exact):,} rows in the exact "
                 "part.")
    started = time.monotonic()
    semantic.model()
    hybrid.query_vector("warm up")
    # As a web worker encodes queries (waggle/config/gunicorn.py): on one thread, beside the
    # database.
    import torch
    torch.set_num_threads(int(os.environ.get("WAGGLE_EMBEDDING_THREADS", "1")))
    notes.append(f"Model load: {time.monotonic() - started:.1f} s (a web worker does it as it "
                 "starts).")

    rng = random.Random(args.seed)
    members = pick_members(rng, 40)
    # Plain words: phrases, OR and -word are ranked lexically (bench_search.py times those).
    queries = [q for q in sample_queries(rng, args.queries * 2)
               if hybrid.plain(parse_query(q))][:args.queries]
    drafts = draft_texts(rng, args.queries)

    for i, text in enumerate(queries[:20]):  # warm-up: caches, planner, imports
        search(members[i % len(members)], text)
    search_ms, encode_ms, totals = [], [], []
    for i, text in enumerate(queries):
        hybrid.query_vector.cache_clear()
        started = time.perf_counter()
        results = search(members[i % len(members)], text)
        search_ms.append((time.perf_counter() - started) * 1000)
        assert results.ranking == "hybrid", results.ranking
        totals.append(results.total)
        hybrid.query_vector.cache_clear()
        started = time.perf_counter()
        hybrid.query_vector(text)
        encode_ms.append((time.perf_counter() - started) * 1000)
    similar_ms = []
    for i, text in enumerate(drafts):
        hybrid.query_vector.cache_clear()
        started = time.perf_counter()
        similar_questions(members[i % len(members)], text)
        similar_ms.append((time.perf_counter() - started) * 1000)

    approximate_ms, exact_ms, recall = vector_timings(index, queries)
    rows = [
        ("search() hybrid (encode query, gate, count, 20 hits, snippets)", search_ms),
        ("has this been asked? similar_questions() hybrid", similar_ms),
        ("of which: encoding the query", encode_ms),
        ("of which: nearest 50 threads, approximate (HNSW)", approximate_ms),
        ("nearest 50 threads, exact (matrix product, same vectors)", exact_ms),
    ]
    lines = [
        f"{Post.objects.count():,} posts, {embedded:,} thread vectors; {len(queries)} queries "
        f"(median {sorted(totals)[len(totals) // 2]:,} results), {len(drafts)} drafts.",
        "",
        "| what | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {name} | {pct(t, 0.5):.1f} | {pct(t, 0.95):.1f} | {max(t):.1f} |"
          for name, t in rows],
        "",
        f"Approximate recall of the exact nearest 50: {recall:.3f}. Target: hybrid search() "
        f"p95 <= {TARGET_HYBRID_P95_MS:.0f} ms.",
    ]
    table = "\n".join(lines)
    print("\n" + table + "\n" + "\n".join(f"- {n}" for n in notes))
    if not args.no_record:
        with open(RESULTS, "a") as f:
            f.write(
                f"\n## Hybrid search at scale ({connection.vendor}), "
                f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n\n"
                f"Machine: {platform.node()}, {os.cpu_count()} CPUs, Python "
                f"{platform.python_version()}. Data: the demo generator, seed {args.seed}, "
                f"{args.people:,} people. Command: `.venv/bin/python "
                f"bench/bench_search_hybrid.py {shlex.join(argv)}`\n\n{table}\n\n"
                + "\n".join(f"- {n}" for n in notes) + "\n"
            )
    return 0


def embed_titles() -> str:
    """Store, for every thread, the model's embedding of its title (see `--vectors`)."""
    from django.utils import timezone
    from tqdm import tqdm

    from waggle.search import embeddings, semantic
    from waggle.search.models import SearchEntry, ThreadEmbedding

    started = time.monotonic()
    roots = SearchEntry.objects.filter(comment__isnull=True, kind__in=embeddings.ROOT_KINDS)
    titles = sorted(set(roots.values_list("title", flat=True).distinct()))
    vectors = dict(zip(titles, semantic.encode(titles, batch_size=128), strict=True))
    encoded_s = time.monotonic() - started
    now = timezone.now()
    written = 0
    last = 0
    with tqdm(total=roots.count(), unit=" threads", desc="Storing title vectors") as bar:
        while True:
            chunk = list(roots.filter(thread_id__gt=last).order_by("thread_id").values_list(
                "thread_id", "space_id", "kind", "title")[:5000])
            if not chunk:
                break
            ThreadEmbedding.objects.bulk_create(
                [ThreadEmbedding(thread_id=pk, space_id=space, kind=kind,
                                 model=embeddings.MODEL_NAME, text_hash=f"bench-title:{pk}",
                                 vector=vectors[title].tobytes(), updated_at=now)
                 for pk, space, kind, title in chunk],
                update_conflicts=True, unique_fields=["thread"],
                update_fields=["space", "kind", "model", "text_hash", "vector", "updated_at"],
            )
            written += len(chunk)
            last = chunk[-1][0]
            bar.update(len(chunk))
    return (f"Vectors: the model's embedding of each thread's title ({len(titles):,} distinct "
            f"titles encoded in {encoded_s:.0f} s), stored for {written:,} threads in "
            f"{time.monotonic() - started:.0f} s.")


def draft_texts(rng: random.Random, n: int) -> list[str]:
    """What people type in the ask form: a question title of the corpus, its last word cut
    short (still being typed)."""
    from waggle.exchange.models import Post

    max_id = Post.objects.order_by("-id").values_list("id", flat=True).first() or 1
    drafts: list[str] = []
    while len(drafts) < n:
        title = (Post.objects.filter(id__gte=rng.randint(1, max_id), kind="question")
                 .order_by("id").values_list("title", flat=True).first())
        if title and len(title) > 12:
            drafts.append(title[: rng.randint(len(title) // 2, len(title) - 2)])
    return drafts


def vector_timings(index: object, queries: list[str]) -> tuple[list[float], list[float], float]:
    """The nearest 50 threads of each query: approximate (the graph) and exact (every vector
    taken out of the graph into one matrix), and how many of the exact 50 the graph found."""
    import numpy as np

    from waggle.search import hybrid

    approximate = index.approximate  # type: ignore[attr-defined]
    if approximate is None:
        return [0.0], [0.0], 1.0
    matrix = np.vstack(approximate.index.get(approximate.ids)).astype(np.float32)
    approximate_ms, exact_ms, found = [], [], 0.0
    for text in queries:
        vector = hybrid.query_vector(text)
        started = time.perf_counter()
        near = approximate.index.search(vector, 50)
        approximate_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        cosines = matrix @ vector
        best = np.argpartition(-cosines, 50)[:50]
        exact_ms.append((time.perf_counter() - started) * 1000)
        # Found: an approximate result at least as near as the exact 50th (ties count).
        fiftieth = float(np.min(cosines[best]))
        near_cosines = 1.0 - np.asarray(near.distances, dtype=np.float32)
        found += float(np.sum(near_cosines >= fiftieth - 1e-3)) / 50
    return approximate_ms, exact_ms, found / len(queries)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
