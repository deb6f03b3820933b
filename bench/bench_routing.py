"""Expertise and question routing at scale: 100,000 generated people in PostgreSQL.

Generates the organization with the demo generator (or reuses it with --reuse), then measures:

1. the full rebuild of `Expertise` from all evidence (`rebuild_expertise`, what `waggle
   expertise rebuild` runs): time, rows written, the process's peak memory; then VACUUM ANALYZE;
2. the incremental update: answers accepted through `do_accept_answer` by their askers, the
   update it schedules (`update_expertise` of the answerer, run inline) timed, the answerer's
   expertise checked to grow, then the acceptance taken back (the data set stays as it was);
3. routing a question: `candidates(question, limit=5)` (what routing computes: ranking,
   exclusions, who may see it, caps, load) for real questions of the data set, with its SQL
   queries and where the time goes; `do_route_question` (the writes and notifications too)
   on a sample, in transactions rolled back;
4. fairness: a simulated month of questions routed at increasing simulated times, with and
   without load spreading, and how concentrated the invitations are.

    .venv/bin/python bench/bench_routing.py                 # generate, then measure
    .venv/bin/python bench/bench_routing.py --reuse         # measure the existing data set
    .venv/bin/python bench/bench_routing.py --reuse --no-rebuild --explain --no-record
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import os
import platform
import random
import re
import resource
import shlex
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import add_organization_arguments, data_set_problem, machine, setup_django  # noqa: E402 - the benchmarks' shared module

RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/waggle_bench_routing"
TARGET_P95_MS = 50.0
LIMIT = 5  # people invited per question (WAGGLE_ROUTE_PEOPLE's default)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_organization_arguments(parser, DEFAULT_URL)
    parser.add_argument("--no-rebuild", action="store_true",
                        help="with --reuse: keep Expertise as it is (no rebuild timing)")
    parser.add_argument("--questions", type=int, default=300, help="timed routings")
    parser.add_argument("--warmup", type=int, default=20, help="untimed routings first")
    parser.add_argument("--route-sample", type=int, default=50,
                        help="do_route_question calls (rolled back)")
    parser.add_argument("--accepts", type=int, default=20,
                        help="answers accepted (then taken back) for the incremental update")
    parser.add_argument("--month-questions", type=int, default=1000,
                        help="questions routed in the simulated month (per run)")
    parser.add_argument("--month-days", type=float, default=30.0)
    parser.add_argument("--no-fairness", action="store_true", help="skip the simulated month")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN ANALYZE the slowest query of the costliest shapes")
    parser.add_argument("--no-record", action="store_true",
                        help="print the figures but do not append them to bench/RESULTS.md")
    return parser.parse_args(argv)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    setup_django(args.database_url, reuse=args.reuse, recreate=args.recreate)
    from django.db import connection

    from waggle.demo.generator import do_generate_demo_organization
    from waggle.expertise.models import Expertise, RecentHelp

    notes: list[str] = []
    generated = None
    problem = data_set_problem(args.reuse)
    if problem:
        print(problem)
        return 2
    if not args.reuse:
        print(f"Generating {args.people:,} people and {args.posts:,} posts (seed {args.seed}) "
              f"into {args.database_url} ...", flush=True)
        generated = do_generate_demo_organization(people=args.people, seed=args.seed,
                                                  posts=args.posts, progress=True)
        notes.append(f"Generation: {generated.seconds:.0f} s (search index, expertise too).")
    data = describe_data()
    print(data, flush=True)
    load_before = os.getloadavg()
    started_all = time.monotonic()
    sections: list[str] = []

    # 1. Full rebuild.
    if args.no_rebuild:
        if not Expertise.objects.exists() or not RecentHelp.objects.exists():
            print("--no-rebuild: no Expertise or RecentHelp rows yet; run once without it.")
            return 2
        sections.append(f"Full rebuild: not run (--no-rebuild); {Expertise.objects.count():,} "
                        "Expertise rows as they were.")
    else:
        sections.append(full_rebuild(connection))
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    notes.append(f"VACUUM ANALYZE of the database before measuring: "
                 f"{time.monotonic() - started:.0f} s.")
    print(sections[-1], flush=True)

    rng = random.Random(args.seed)

    # 2. Incremental update through the action.
    sections.append(incremental(rng, args.accepts))
    print(sections[-1], flush=True)

    # 3. Routing latency.
    routing_table, slowest = routing_latency(rng, args, connection, notes)
    sections.append(routing_table)
    print(routing_table, flush=True)
    if args.explain:
        explain(connection, slowest)

    # 4. Fairness over a simulated month.
    if not args.no_fairness:
        sections.append(fairness(rng, args, notes))
        print(sections[-1], flush=True)

    load = f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after"
    notes.append(f"Whole measurement (after generation): {time.monotonic() - started_all:.0f} s.")
    print("\n".join(f"- {n}" for n in notes))
    print(f"Load average (1 min): {load}.")
    if not args.no_record:
        record(args, argv, data, sections, notes, load)
        print(f"\nAppended to {RESULTS.relative_to(ROOT)}.")
    return 0


# --------------------------------------------------------------------------------------------
# The data set


def describe_data() -> str:
    from django.db.models import Count

    from waggle.exchange.models import Comment, Post
    from waggle.people.models import User
    from waggle.spaces.models import Space
    from waggle.topics.models import Topic
    from waggle.value.models import Kudos, ValueReport

    kinds = dict(Post.objects.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    accepted = Post.objects.filter(kind=Post.Kind.QUESTION, accepted_answer__isnull=False).count()
    return (
        f"{User.objects.count():,} people, {Space.objects.count():,} spaces, "
        f"{Topic.objects.count():,} topics, {sum(kinds.values()):,} posts "
        f"({kinds.get('question', 0):,} questions, {accepted:,} of them with an accepted answer; "
        f"{kinds.get('answer', 0):,} answers, {kinds.get('update', 0):,} updates, "
        f"{kinds.get('lesson', 0):,} lessons), {Comment.objects.count():,} comments, "
        f"{ValueReport.objects.count():,} value reports, {Kudos.objects.count():,} kudos"
    )


# --------------------------------------------------------------------------------------------
# 1. Full rebuild


def full_rebuild(connection: Any) -> str:
    from waggle.expertise.index import rebuild_expertise
    from waggle.expertise.models import Expertise, RecentHelp

    print("Rebuilding expertise (timed) ...", flush=True)
    rss_before = peak_rss_mb()
    started = time.monotonic()
    rows = rebuild_expertise()
    seconds = time.monotonic() - started
    rss_after = peak_rss_mb()
    people = Expertise.objects.values("person_id").distinct().count()
    recent = RecentHelp.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [Expertise._meta.db_table])
        size = cursor.fetchone()[0] / 2**20
    return (
        f"Full rebuild (`rebuild_expertise()`): {rows:,} Expertise rows for {people:,} people "
        f"and {recent:,} RecentHelp rows (per person and space) in {seconds:.1f} s "
        f"({rows / seconds:,.0f} Expertise rows/s); peak RSS of the process "
        f"{rss_after:,.0f} MB after the rebuild ({rss_before:,.0f} MB before it); table with "
        f"its indexes {size:,.0f} MB on disk (a rebuild deletes and inserts every row: on a "
        f"database rebuilt before, the files keep the previous rows' space for reuse)."
    )


# --------------------------------------------------------------------------------------------
# 2. Incremental update


def incremental(rng: random.Random, wanted: int) -> str:
    """Accept an answer (as the asker) and time the update it schedules; the answerer's
    expertise on the question's topics in its space must grow. Then take it back."""
    from django.db.models import Count, Sum
    from django.utils import timezone

    import waggle.expertise.tasks as expertise_tasks
    from waggle.exchange.actions import do_accept_answer
    from waggle.exchange.models import Post
    from waggle.expertise.index import update_expertise
    from waggle.expertise.models import Expertise
    from waggle.expertise.scoring import current

    updates: list[tuple[list[int], float, int]] = []
    original = expertise_tasks.update_expertise

    def timed_update(people: Any) -> int:
        started = time.perf_counter()
        written = original(people)
        updates.append((list(people), (time.perf_counter() - started) * 1000, written))
        return written

    def topic_score(person: int, question: Post) -> float:
        topics = list(question.topics.values_list("id", flat=True))
        return float(Expertise.objects.filter(person_id=person, topic_id__in=topics,
                                              space_id=question.space_id)
                     .aggregate(s=Sum("score"))["s"] or 0.0)

    max_id = Post.objects.order_by("-id").values_list("id", flat=True).first() or 1
    accept_ms: list[float] = []
    withdraw_ms: list[float] = []
    scheduled_ms: list[float] = []
    rows_written: list[int] = []
    gains: list[float] = []
    done: set[int] = set()
    # The task module looks the function up when it runs: the wrapper times the real update.
    expertise_tasks.update_expertise = timed_update
    try:
        while len(accept_ms) < wanted:
            question = (Post.objects.filter(
                id__gte=rng.randint(1, max_id), kind=Post.Kind.QUESTION,
                accepted_answer__isnull=True, author__isnull=False, author__is_active=True,
                answer_count__gte=1, topics__isnull=False)
                .select_related("space", "author").order_by("id").first())
            if question is None or question.pk in done:
                continue
            done.add(question.pk)
            answer = (Post.objects.filter(question=question, kind=Post.Kind.ANSWER,
                                          author__isnull=False)
                      .exclude(author_id=question.author_id).order_by("id").first())
            if answer is None:
                continue
            asker, answerer = question.author, answer.author_id
            assert answerer is not None  # filtered above
            before = topic_score(answerer, question)
            updates.clear()
            started = time.perf_counter()
            do_accept_answer(question, answer, acting_user=asker)
            accept_ms.append((time.perf_counter() - started) * 1000)
            assert [u[0] for u in updates] == [[answerer]], f"update not scheduled: {updates}"
            scheduled_ms.append(updates[0][1])
            rows_written.append(updates[0][2])
            after = topic_score(answerer, question)
            assert after > before, f"expertise of {answerer} did not grow: {before} -> {after}"
            gains.append(current(after - before, timezone.now()))
            # Take it back: the data set stays as generated, and the withdrawal is timed too.
            updates.clear()
            started = time.perf_counter()
            do_accept_answer(question, None, acting_user=asker)
            withdraw_ms.append((time.perf_counter() - started) * 1000)
            scheduled_ms.append(updates[0][1])
            restored = topic_score(answerer, question)
            assert abs(restored - before) <= 1e-9 * max(1.0, before), (before, restored)
    finally:
        expertise_tasks.update_expertise = original

    # The person with the most answers: the largest single-person recomputation.
    busiest = (Post.objects.filter(kind=Post.Kind.ANSWER, author__isnull=False)
               .values("author_id").annotate(n=Count("id")).order_by("-n").first())
    assert busiest is not None
    busiest_ms = []
    for _ in range(5):
        started = time.perf_counter()
        busiest_rows = update_expertise([busiest["author_id"]])
        busiest_ms.append((time.perf_counter() - started) * 1000)
    return "\n".join([
        "Incremental update: an answer accepted through `do_accept_answer` (as the asker; "
        "the scheduled `update_expertise([answerer])` runs inline on commit), checked, then "
        "taken back.",
        "",
        "| what | calls | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| `update_expertise([answerer])` as scheduled (accept and take back) | "
        f"{len(scheduled_ms)} | {pct(scheduled_ms, .5):.1f} | {pct(scheduled_ms, .95):.1f} | "
        f"{max(scheduled_ms):.1f} |",
        f"| `do_accept_answer` end to end (update included) | {len(accept_ms)} | "
        f"{pct(accept_ms, .5):.1f} | {pct(accept_ms, .95):.1f} | {max(accept_ms):.1f} |",
        f"| `do_accept_answer(question, None)` (taking it back) | {len(withdraw_ms)} | "
        f"{pct(withdraw_ms, .5):.1f} | {pct(withdraw_ms, .95):.1f} | {max(withdraw_ms):.1f} |",
        f"| `update_expertise` of the busiest answerer ({busiest['n']:,} answers, "
        f"{busiest_rows:,} rows) | {len(busiest_ms)} | {pct(busiest_ms, .5):.1f} | "
        f"{pct(busiest_ms, .95):.1f} | {max(busiest_ms):.1f} |",
        "",
        f"Every acceptance raised the answerer's expertise on the question's topics in its "
        f"space (asserted: {len(gains)}/{len(gains)}; median gain {statistics.median(gains):,.2f} "
        f"in today's units: an acceptance weighs 4, halved for each year of the answer's age), "
        f"and taking it back restored it exactly. Rows rewritten per update: "
        f"median {statistics.median(rows_written):.0f}, max {max(rows_written)}.",
    ])


# --------------------------------------------------------------------------------------------
# 3. Routing latency


def sample_questions(rng: random.Random, n: int) -> list[Any]:
    """`n` distinct questions of the data set picked at random by id, each as the routing task
    loads it (its space with it)."""
    from waggle.exchange.models import Post

    max_id = Post.objects.order_by("-id").values_list("id", flat=True).first() or 1
    found: dict[int, Any] = {}
    while len(found) < n:
        question = (Post.objects.filter(id__gte=rng.randint(1, max_id), kind=Post.Kind.QUESTION)
                    .select_related("space").order_by("id").first())
        if question is not None:
            found[question.pk] = question
    return list(found.values())


SHAPE_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def shape_of(sql: str) -> str:
    """A query with its literals taken out, and long IN lists folded: one line per kind."""
    shape = SHAPE_LITERALS.sub("?", sql)
    shape = re.sub(r"\(\?(?:, \?)+\)", "(?...)", shape)
    return shape


def routing_latency(rng: random.Random, args: argparse.Namespace, connection: Any,
                    notes: list[str]) -> tuple[str, list[tuple[str, float, str]]]:
    from django.db import transaction
    from django.test import TestCase
    from django.test.utils import CaptureQueriesContext

    import waggle.expertise.routing as routing
    import waggle.expertise.who_knows as who_knows
    from waggle.expertise.actions import do_route_question
    from waggle.expertise.routing import candidates

    questions = sample_questions(rng, args.questions + args.warmup)
    warmup, questions = questions[:args.warmup], questions[args.warmup:]
    print(f"Routing {len(questions)} questions (after {len(warmup)} warm-up) ...", flush=True)
    for question in warmup:
        candidates(question, limit=LIMIT)
    timings: list[float] = []
    found: list[int] = []
    for question in questions:
        started = time.perf_counter()
        chosen = candidates(question, limit=LIMIT)
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(chosen))

    # A separate pass counts the queries and splits the time (recording SQL and wrapping the
    # steps never slow the timed pass).
    phases: dict[str, list[float]] = defaultdict(list)

    def timing(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **kw: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*a, **kw)
            finally:
                phases[name].append((time.perf_counter() - started) * 1000)
        return wrapper

    originals = (routing.rank_people, who_knows.best_matches, who_knows.recent_help)
    routing.rank_people = timing("rank_people", routing.rank_people)
    who_knows.best_matches = timing("text", who_knows.best_matches)
    who_knows.recent_help = timing("recency", who_knows.recent_help)
    counted = questions[: min(len(questions), 60)]
    query_counts: list[int] = []
    by_shape: dict[str, list[float]] = defaultdict(list)
    slowest_of_shape: dict[str, tuple[float, str]] = {}
    totals: list[float] = []
    try:
        for question in counted:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                candidates(question, limit=LIMIT)
            totals.append((time.perf_counter() - started) * 1000)
            query_counts.append(len(captured.captured_queries))
            for query in captured.captured_queries:
                ms, shape = float(query["time"]) * 1000, shape_of(query["sql"])
                by_shape[shape].append(ms)
                if ms > slowest_of_shape.get(shape, (-1.0, ""))[0]:
                    slowest_of_shape[shape] = (ms, query["sql"])
    finally:
        (routing.rank_people, who_knows.best_matches,
         who_knows.recent_help) = originals

    # do_route_question with its writes (invitations, audit, notifications run on "commit"
    # inside the transaction), rolled back so the data set stays as it was.
    route_ms: list[float] = []
    invited: list[int] = []
    for question in questions[: args.route_sample]:
        with transaction.atomic():
            started = time.perf_counter()
            with TestCase.captureOnCommitCallbacks(execute=True):
                made = do_route_question(question)
            route_ms.append((time.perf_counter() - started) * 1000)
            invited.append(len(made))
            transaction.set_rollback(True)

    per_call = sum(totals) / len(totals)
    asked: Counter[str] = Counter(q.space.visibility for q in questions)
    few: Counter[str] = Counter(q.space.visibility for q, f in zip(questions, found, strict=True)
                                if f < LIMIT)
    short_by_visibility = ", ".join(f"in {v} spaces {few[v]} of {asked[v]}"
                                    for v in sorted(asked))
    rank_ms = statistics.mean(phases["rank_people"])
    text_ms = sum(phases["text"]) / len(counted)
    recency_ms = sum(phases["recency"]) / len(counted)
    ranked_shapes = sorted(by_shape.items(), key=lambda item: -sum(item[1]))
    met = "met" if pct(timings, 0.95) <= TARGET_P95_MS else "**not met**"
    lines = [
        f"Routing a question: {len(questions)} real questions of the data set (title, body, "
        f"topics, space), {LIMIT} people each; {len(warmup)} warm-up routings first.",
        "",
        "| what | calls | p50 ms | p95 ms | max ms | SQL queries / call |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| `candidates(question, limit={LIMIT})` | {len(timings)} | {pct(timings, .5):.1f} | "
        f"{pct(timings, .95):.1f} | {max(timings):.1f} | {min(query_counts)}-"
        f"{max(query_counts)} |",
        f"| `do_route_question` (invitations, audit, notifications; rolled back) | "
        f"{len(route_ms)} | {pct(route_ms, .5):.1f} | {pct(route_ms, .95):.1f} | "
        f"{max(route_ms):.1f} | |",
        "",
        f"Target p95 <= {TARGET_P95_MS:.0f} ms for `candidates()`: {met}. People found per "
        f"question: median {statistics.median(found):.0f}; fewer than {LIMIT} for "
        f"{sum(1 for f in found if f < LIMIT)} of {len(found)} ({short_by_visibility}), none "
        f"for {sum(1 for f in found if f == 0)}; invited by `do_route_question`: median "
        f"{statistics.median(invited):.0f}.",
        "",
        f"Where the time goes (a separate pass of {len(counted)} calls, SQL recorded, mean "
        f"{per_call:.1f} ms per call): `rank_people` {rank_ms:.1f} ms, of which the text signal "
        f"(`best_matches`: the question's words in the search index; run by "
        f"{len(phases['text'])} of the {len(counted)} calls) {text_ms:.1f} ms per call, "
        f"recency (`recent_help`) {recency_ms:.1f} ms, the topic signal and fusion "
        f"{rank_ms - text_ms - recency_ms:.1f} ms; "
        f"the rest of `candidates` (exclusions, who may see it, caps, load) "
        f"{per_call - rank_ms:.1f} ms. Costliest SQL, per call:",
        "",
        "| query (literals taken out) | per call | mean ms | share of the call |",
        "| --- | ---: | ---: | ---: |",
    ]
    for shape, times in ranked_shapes[:6]:
        short = shape if len(shape) <= 150 else shape[:147] + "..."
        short = short.replace("|", "\\|")
        lines.append(f"| `{short}` | {len(times) / len(counted):.2f} | "
                     f"{statistics.mean(times):.1f} | {sum(times) / len(counted) / per_call:.0%} |")
    slowest = [(shape, *slowest_of_shape[shape]) for shape, _ in ranked_shapes[:3]]
    return "\n".join(lines), slowest


def explain(connection: Any, slowest: list[tuple[str, float, str]]) -> None:
    for _, ms, sql in slowest:
        # Long IN lists are folded in what is printed (the plan is of the whole query).
        folded = re.sub(r"(\d+, ){8,}", "..., ", sql)
        print(f"\n--- {ms:.1f} ms\n{folded}\n")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(re.sub(r"(\d+,){8,}", "...,", row[0])
                            for row in cursor.fetchall()))


# --------------------------------------------------------------------------------------------
# 4. Fairness over a simulated month


def gini(values: list[int]) -> float:
    """0 when everyone gets as many invitations, towards 1 when one person gets them all."""
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if not n or not total:
        return 0.0
    weighted = sum(i * v for i, v in enumerate(ordered, start=1))
    return 2 * weighted / (n * total) - (n + 1) / n


def most_in_a_week(times: list[dt.datetime]) -> int:
    """The most invitations in any seven days (the window the cap and the load count)."""
    times = sorted(times)
    week = dt.timedelta(days=7)
    return max(i - bisect.bisect_right(times, t - week) + 1 for i, t in enumerate(times))


def fairness(rng: random.Random, args: argparse.Namespace, notes: list[str]) -> str:
    """Route `--month-questions` questions of the data set as if asked over `--month-days`
    (the real `candidates()` with `now=`), writing each question's invitations at its
    simulated time so that the seven-day load and the weekly cap see them; once with load
    spreading and once without, the invitations cleared between the runs."""
    from django.db.models import Max

    from waggle.exchange.models import Post
    from waggle.expertise.models import QuestionInvitation
    from waggle.expertise.routing import candidates
    from waggle.people.models import User

    questions = sample_questions(rng, args.month_questions)
    people_total = User.objects.count()
    top = max(1, round(people_total / 100))
    latest = Post.objects.aggregate(m=Max("created_at"))["m"]
    start = latest + dt.timedelta(hours=1)
    step = dt.timedelta(days=args.month_days) / len(questions)
    caps = dict(User.objects.exclude(routed_questions_per_week=3)
                .values_list("id", "routed_questions_per_week"))
    span = (f"{len(questions):,} questions of the data set asked one after another over "
            f"{args.month_days:g} simulated days ({len(questions) / args.month_days:,.0f} a day) "
            f"from {start:%Y-%m-%d}, {LIMIT} people each")
    data_rate = Post.objects.filter(kind=Post.Kind.QUESTION,
                                    created_at__gte=latest - dt.timedelta(days=30)).count()
    notes.append(f"The data set's own rate of questions over its last 30 days: "
                 f"{data_rate / 30:,.0f} a day; the simulated month routes "
                 f"{len(questions) / args.month_days:,.0f} a day (`--month-questions`).")
    rows = []
    for spread in (True, False):
        label = "with load spreading" if spread else "without (spread=False)"
        print(f"Simulated month, {label} ...", flush=True)
        first_id = (QuestionInvitation.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        received: dict[int, list[dt.datetime]] = defaultdict(list)
        short = 0
        timings: list[float] = []
        shares: list[float] = []
        try:
            for i, question in enumerate(questions):
                now = start + step * i
                started = time.perf_counter()
                chosen = candidates(question, limit=LIMIT, now=now, spread=spread)
                timings.append((time.perf_counter() - started) * 1000)
                short += len(chosen) < LIMIT
                # What do_route_question writes, dated at the simulated moment.
                QuestionInvitation.objects.bulk_create(
                    [QuestionInvitation(question=question, person=c.person, round=1,
                                        invited_at=now) for c in chosen])
                for c in chosen:
                    received[c.person.pk].append(now)
                    # The expertise share before the load penalty (0..1 over the ranked).
                    shares.append(c.score * (1 + c.recent_invitations) if spread else c.score)
        finally:
            QuestionInvitation.objects.filter(id__gte=first_id).delete()
        counts = sorted((len(t) for t in received.values()), reverse=True)
        total = sum(counts)
        weekly = {p: most_in_a_week(t) for p, t in received.items()}
        capped = sum(1 for p, n in weekly.items() if n >= caps.get(p, 3))
        everyone = counts + [0] * (people_total - len(counts))
        rows.append(
            f"| {label} | {total:,} | {short:,} | {len(counts):,} | "
            f"{sum(counts[:top]) / total:.1%} | {gini(everyone):.3f} | "
            f"{gini(counts):.3f} | {counts[0]} | {max(weekly.values())} | {capped:,} | "
            f"{statistics.mean(shares):.2f} | {pct(timings, .5):.1f} / {pct(timings, .95):.1f} |"
        )
        print(rows[-1], flush=True)
    return "\n".join([
        f"Fairness over a simulated month: {span}; `candidates(question, limit={LIMIT}, now=..., "
        f"spread=...)` and the invitations written at the simulated time (what "
        f"`do_route_question` writes), so that the seven-day load and the weekly cap count them; "
        f"the runs' invitations deleted after each. Top 1% = the {top:,} of the organization's "
        f"{people_total:,} people who received the most invitations.",
        "",
        "| run | invitations | questions with < 5 | people invited | share to top 1% | "
        "Gini (all people) | Gini (invited) | most per person | most per person in 7 days | "
        "people at their weekly cap | mean expertise share of invited | candidates() p50 / "
        "p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "Expertise share: the candidate's fused score rescaled to 0..1 over the people ranked "
        "for that question, before the load penalty (1 = the best ranked); what spreading costs.",
    ])


# --------------------------------------------------------------------------------------------
# Recording


def record(args: argparse.Namespace, argv: list[str], data: str, sections: list[str],
           notes: list[str], load: str) -> None:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    command = " ".join([".venv/bin/python bench/bench_routing.py", shlex.join(argv)]).strip()
    now = dt.datetime.now(dt.UTC)
    lines = [
        f"\n## {now:%Y-%m-%d %H:%M} UTC: expertise and question routing at "
        f"{args.people:,} people\n",
        f"- Machine: {machine()}; PostgreSQL {pg_version} on the same machine; Python "
        f"{platform.python_version()}, Django {django.get_version()}.",
        f"- Data set: the demo generator, seed {args.seed}: {data}. Semantic ranking off "
        "(routing by topics and words).",
        f"- Load average (1 min) while measuring: {load} (other work on the machine shows up "
        "here, and in the p95).",
        *[f"- {n}" for n in notes],
        f"- Command: `{command}`",
        "",
        "\n\n".join(sections),
        "",
    ]
    with RESULTS.open("a") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
