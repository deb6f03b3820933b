"""Page and API latency at scale: 100,000 people and 1,000,000 posts in PostgreSQL.

Generates the organization with the demo generator (or reuses it with --reuse), then times
the home feed, a space page, a question page and the posts API through Django's test client
in-process (the real middleware, templates and database; no network), records the SQL query
count of each request, prints a table and appends a dated section to bench/RESULTS.md.

    .venv/bin/python bench/bench_pages.py                 # generate, then measure
    .venv/bin/python bench/bench_pages.py --reuse         # measure the existing data set
    .venv/bin/python bench/bench_pages.py --reuse --explain   # also EXPLAIN the slowest SQL
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import (  # noqa: E402 - the benchmarks' shared module
    add_organization_arguments,
    data_set_problem,
    machine,
    pick_members,
    setup_django,
)

RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/waggle_bench"
TARGET_P95_MS = 50.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_organization_arguments(parser, DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of each page's slowest queries")
    parser.add_argument("--no-record", action="store_true",
                        help="print the table but do not append it to bench/RESULTS.md")
    return parser.parse_args(argv)


@dataclass
class Figures:
    page: str
    timings_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    slowest_sql: list[tuple[float, str]] = field(default_factory=list)

    def pct(self, q: float) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    setup_django(args.database_url, reuse=args.reuse, recreate=args.recreate)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from waggle.api.actions import do_create_access_token, do_revoke_access_token
    from waggle.api.models import AccessToken
    from waggle.core.models import AuditEntry
    from waggle.demo.generator import do_generate_demo_organization
    from waggle.exchange.models import Post
    from waggle.spaces.access import visible_spaces
    from waggle.spaces.models import Space

    generated = None
    problem = data_set_problem(args.reuse)
    if problem:
        print(problem)
        return 2
    if not args.reuse:
        print(f"Generating {args.people:,} people and {args.posts:,} posts (seed {args.seed}) "
              f"into {args.database_url} ...")
        generated = do_generate_demo_organization(
            people=args.people, seed=args.seed, posts=args.posts, progress=True,
        )
        print(f"Generated in {generated.seconds:.0f} s.")
    run = AuditEntry.objects.filter(action="generate_demo_organization").order_by("pk").first()
    if run is None:
        print("This database was not made by the demo generator; refusing to guess its size.")
        return 2
    print("VACUUM ANALYZE (fresh planner statistics, visibility map) ...")
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    vacuum_s = time.monotonic() - started

    rng = random.Random(args.seed)
    # Varied members: people who belong to several spaces, picked at random by id.
    members = pick_members(rng, 40)
    clients = []
    for person in members:
        client = Client()
        client.force_login(person)
        clients.append((person, client))
    # Each run makes fresh tokens; the last run's are revoked first (a person may hold 20).
    for token in AccessToken.objects.filter(name="bench", revoked_at__isnull=True,
                                            user__in=members[:10]).select_related("user"):
        do_revoke_access_token(token, acting_user=token.user)
    tokens = [do_create_access_token(acting_user=p, name="bench")[1] for p in members[:10]]

    # Spaces each member can see: one of their own, or an open one.
    open_spaces = list(Space.objects.filter(visibility="open").values_list("slug", flat=True))
    space_visits = []
    for person, client in clients:
        own = list(visible_spaces(person).filter(memberships__user=person)
                   .values_list("slug", flat=True))
        for slug in rng.sample(own, min(2, len(own))) + rng.sample(open_spaces, 2):
            space_visits.append((client, f"/spaces/{slug}/"))
    rng.shuffle(space_visits)

    # Questions with several answers and comments, in open spaces every member can see.
    max_id = Post.objects.order_by("-id").values_list("id", flat=True).first()
    questions: list[int] = []
    while len(questions) < 60:
        found = list(
            Post.objects.filter(id__gte=rng.randint(1, max_id), kind="question",
                                answer_count__gte=3, comment_count__gte=1,
                                space__visibility="open")
            .order_by("id").values_list("id", flat=True)[:1]
        )
        if found and found[0] not in questions:
            questions.append(found[0])
    question_visits = [(clients[i % len(clients)][1], f"/posts/{q}/")
                       for i, q in enumerate(questions)]

    api_client = Client()
    pages: dict[str, Callable[[int], Any]] = {
        "home feed: GET /": lambda i: clients[i % len(clients)][1].get("/"),
        "space page: GET /spaces/<slug>/": lambda i: space_visits[i % len(space_visits)][0]
        .get(space_visits[i % len(space_visits)][1]),
        "question page: GET /posts/<id>/": lambda i: question_visits[i % len(question_visits)][0]
        .get(question_visits[i % len(question_visits)][1]),
        "posts API: GET /api/posts": lambda i: api_client.get(
            "/api/posts", headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"}),
    }
    # A test client builds Django's middleware chain on its first request (about 15 ms), which
    # a server process does once: every client makes one untimed request before any timing.
    for _, client in clients:
        client.get("/")
    load_before = os.getloadavg()
    results = []
    for name, request in pages.items():
        figures = Figures(name)
        for i in range(args.warmup):
            response = request(i)
            if response.status_code != 200:
                print(f"{name}: status {response.status_code} on warm-up; is the page built?")
                return 1
        for i in range(args.requests):
            started = time.perf_counter()
            response = request(i)
            figures.timings_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                print(f"{name}: status {response.status_code}")
                return 1
        # A separate pass counts the queries, so recording SQL never slows the timed pass.
        for i in range(min(args.requests, 40)):
            with CaptureQueriesContext(connection) as captured:
                request(i)
            figures.queries.append(len(captured.captured_queries))
            figures.slowest_sql.extend(
                (float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries
            )
        figures.slowest_sql = sorted(figures.slowest_sql, reverse=True)[:3]
        results.append(figures)
        print(f"  {name:<36} p50 {figures.pct(0.5):7.1f} ms   p95 {figures.pct(0.95):7.1f} ms")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    counts = run.data
    table = render_table(results)
    print()
    print(table)
    if args.explain:
        explain(connection, results)
    if not args.no_record:
        load = f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after"
        record(args, argv, results, table, counts, generated, pg_version, vacuum_s, load)
        print(f"\nAppended to {RESULTS.relative_to(ROOT)}.")
    return 0


def render_table(results: list[Figures]) -> str:
    lines = [
        "| page | requests | p50 ms | p95 ms | max ms | SQL queries / request | p95 <= 50 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for f in results:
        queries = (f"{min(f.queries)}" if min(f.queries) == max(f.queries)
                   else f"{min(f.queries)}-{max(f.queries)}")
        lines.append(
            f"| {f.page.replace('GET ', '`GET ')}` | {len(f.timings_ms)} | "
            f"{f.pct(0.5):.1f} | {f.pct(0.95):.1f} | {max(f.timings_ms):.1f} | {queries} | "
            f"{'yes' if f.pct(0.95) <= TARGET_P95_MS else '**no**'} |"
        )
    return "\n".join(lines)


def explain(connection: Any, results: list[Figures]) -> None:
    for f in results:
        for ms, sql in f.slowest_sql[:2]:
            print(f"\n--- {f.page}: {ms:.1f} ms\n{sql}\n")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                print("\n".join(row[0] for row in cursor.fetchall()))


def record(
    args: argparse.Namespace, argv: list[str], results: list[Figures], table: str,
    counts: dict[str, Any], generated: Any, pg_version: str, vacuum_s: float, load: str,
) -> None:
    import django

    posts = sum(counts.get(k, 0) for k in ("questions", "answers", "updates", "lessons"))
    command = " ".join([".venv/bin/python bench/bench_pages.py", shlex.join(argv)]).strip()
    now = dt.datetime.now(dt.UTC)
    lines = [
        f"\n## {now:%Y-%m-%d %H:%M} UTC: pages at {counts['people']:,} people and "
        f"{posts:,} posts\n",
        f"- Machine: {machine()}; PostgreSQL {pg_version} on the same machine; Python "
        f"{platform.python_version()}, Django {django.get_version()}.",
        f"- Data set: the demo generator, seed {counts.get('seed')}: {counts['people']:,} "
        f"people, {counts['spaces']:,} spaces, {posts:,} posts ({counts['questions']:,} "
        f"questions, {counts['answers']:,} answers, {counts['updates']:,} updates, "
        f"{counts['lessons']:,} lessons), {counts['comments']:,} comments, "
        f"{counts['value_reports']:,} value reports, {counts['kudos']:,} kudos, "
        f"{counts['memberships']:,} memberships, {counts['follows']:,} follows.",
        f"- Load average (1 min) while measuring: {load} (other work on the machine shows "
        "up here, and in the p95).",
    ]
    if generated is not None:
        lines.append(
            f"- Generation: {generated.seconds:.0f} s "
            f"({generated.people / generated.seconds:,.0f} people/s, "
            f"{generated.posts / generated.seconds:,.0f} posts/s, comments and value included); "
            f"then VACUUM ANALYZE {vacuum_s:.0f} s."
        )
    else:
        lines.append("- Generation: reused the data set already in the database (--reuse).")
    lines += [
        f"- Method: Django test client in-process (real middleware, sessions, templates), "
        f"each member's client warmed once, then {args.warmup} warm-up and {args.requests} "
        f"timed requests per page over {40} members, varied spaces and questions (3+ answers, "
        f"1+ comment); query counts from a separate pass.",
        f"- Command: `{command}`",
        "",
        table,
        "",
    ]
    with RESULTS.open("a") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
