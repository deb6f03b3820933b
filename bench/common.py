"""What the scale benchmarks share: the database they fill, Django set up on it, the
members they act as, and the machine they record."""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def add_organization_arguments(parser: argparse.ArgumentParser, default_url: str) -> None:
    """The options every scale benchmark takes: where, how big, and whether to reuse."""
    parser.add_argument("--database-url", default=default_url)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reuse", action="store_true",
                        help="measure the organization already in the database")
    parser.add_argument("--recreate", action="store_true",
                        help="drop and recreate the database before generating")


def prepare_database(url: str, recreate: bool) -> None:
    """Create the benchmark database when it is missing (or drop it first on `recreate`);
    for SQLite, the file's folder (and no file, on `recreate`)."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        if recreate:
            path.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    with psycopg.connect(
        host=config["HOST"] or None, port=config["PORT"] or None, user=config["USER"] or None,
        password=config["PASSWORD"] or None, dbname="postgres", autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str, *, reuse: bool, recreate: bool) -> None:
    """Point Waggle at the benchmark database (created unless `reuse`), set Django up and
    migrate. Tasks run inline, as nothing else serves them during a benchmark."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waggle.config.settings")
    os.environ.setdefault("WAGGLE_TASKS", "immediate")
    # Inline tasks would encode every generated thread while generating; the benchmark of
    # semantic ranking embeds and turns it on itself (bench_search_hybrid.py).
    os.environ.setdefault("WAGGLE_SEMANTIC", "off")
    sys.path.insert(0, str(ROOT))
    if not reuse:
        prepare_database(database_url, recreate)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def pick_members(rng: random.Random, count: int) -> list[Any]:
    """`count` active non-guest people who belong to at least one space, picked at random by
    id (so the visibility gate has their private spaces to reckon with)."""
    from waggle.people.models import User
    from waggle.spaces.models import Membership

    people = User.objects.filter(is_guest=False, is_active=True)
    low = people.order_by("id").values_list("id", flat=True).first() or 1
    high = people.order_by("-id").values_list("id", flat=True).first() or 1
    members: list[Any] = []
    while len(members) < count:
        person = people.filter(id__gte=rng.randint(low, high)).order_by("id").first()
        if person is not None and person not in members and Membership.objects.filter(
            user=person
        ).exists():
            members.append(person)
    return members


def machine() -> str:
    """The machine, as the results record it: CPUs, memory, operating system."""
    try:
        mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text()
                          .splitlines() if line.startswith("MemTotal")))
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        memory = "RAM unknown"
    return f"{os.cpu_count()} CPUs (nproc), {memory}, {platform.system()} {platform.release()}"


def data_set_problem(reuse: bool) -> str | None:
    """Why the benchmark cannot go on with the database as it is (None: it can): --reuse
    needs an organization there, generating one needs none."""
    from waggle.exchange.models import Post

    if reuse and not Post.objects.exists():
        return "--reuse: the database holds no posts; run without --reuse first."
    if not reuse and Post.objects.exists():
        return ("The database already holds posts: pass --reuse to measure them, or --recreate "
                "to start from an empty database.")
    return None
