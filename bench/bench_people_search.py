"""People search at scale: 100,000 people (demo generator), SQLite or PostgreSQL.

Times `search.people.search_people` (the search page's People section: 5 people and their
topics; a `kind=people` page of 20) for name, username, department, skill and nonsense
queries as members and as a guest, prints the median and p95 per query (">1,000" found: the
count stops there), and appends a dated section to bench/RESULTS.md.

    .venv/bin/python bench/bench_people_search.py --database-url sqlite:///var/bench/people.sqlite3
    .venv/bin/python bench/bench_people_search.py --reuse      # the organization already there
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import add_organization_arguments, pick_members, setup_django  # noqa: E402 - the benchmarks' shared module

RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/waggle_bench_people"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_organization_arguments(parser, DEFAULT_URL)
    parser.set_defaults(posts=50_000)  # people search reads no post; expertise needs a few
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query")
    parser.add_argument("--no-record", action="store_true")
    return parser.parse_args(argv)


def timed(call: Any, repeat: int) -> tuple[float, float, Any]:
    call()  # warm the caches once
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], \
        result


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    setup_django(args.database_url, reuse=args.reuse, recreate=args.recreate)
    from django.db import connection

    from waggle.demo.generator import do_generate_demo_organization
    from waggle.people.models import User
    from waggle.search.people import knows_about, search_people
    from waggle.topics.models import Topic

    if not args.reuse and not User.objects.exists():
        start = time.perf_counter()
        do_generate_demo_organization(people=args.people, posts=args.posts, seed=args.seed,
                                      progress=True)
        print(f"generated in {time.perf_counter() - start:.0f} s")
    people = User.objects.count()
    rng = random.Random(args.seed)
    member = pick_members(rng, 1)[0]
    guest = User.objects.filter(is_guest=True, is_active=True).order_by("id").first()
    # Drawn with the seed, so that runs before and after a change time the same queries.
    named = User.objects.filter(is_guest=False).exclude(display_name="").order_by("id")
    someone = named.get(id=rng.choice(list(named.values_list("id", flat=True))))
    first, *rest = someone.display_name.split()
    skill = Topic.objects.filter(declared_by__isnull=False).order_by("name").first()
    department = someone.department.name if someone.department else "Engineering"
    initial_and_more = f"{first[0]} {rest[0][:3] if rest else first}"
    queries = [initial_and_more, "al", "ali", first[:3].lower(), someone.display_name,
               someone.username, department, department.split()[0][:4],
               skill.name if skill else "python", f"{first} {rest[0][:2] if rest else ''}",
               "zzqxv", "engineer lo"]

    def section(viewer: Any, text: str, limit: int) -> Any:
        found = search_people(viewer, text, limit=limit)
        knows_about(viewer, found.people)
        return found

    rows = []
    for viewer, label in ((member, "member"), (guest, "guest")):
        if viewer is None:
            continue
        for text in queries:
            for limit in (5, 20):
                median, p95, found = timed(
                    lambda v=viewer, t=text, n=limit: section(v, t, n), args.repeat)
                total = f"{'>' if found.total_capped else ''}{found.total:,}"
                rows.append((label, text, limit, total, median, p95))
                print(f"{label:7} {text[:28]:28} limit {limit:2}: {total:>6} found, "
                      f"median {median:6.1f} ms, p95 {p95:6.1f} ms", flush=True)
    if args.no_record:
        return
    engine = connection.vendor
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## {now}: people search at {people:,} people ({engine})\n",
        f"- Machine: {platform.node()}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; shared with other work (2 CPUs).",
        f"- Data set: the demo generator, seed {args.seed}: {people:,} people.",
        "- `search_people` + `knows_about` (the People section: 5; a `kind=people` page: "
        f"20), {args.repeat} runs each after one warm-up.\n",
        "| viewer | query | shown | found | median ms | p95 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *[f"| {v} | `{t}` | {lim} | {n} | {m:.1f} | {p:.1f} |"
          for v, t, lim, n, m, p in rows],
    ]
    with RESULTS.open("a") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
