"""`waggle demo`: fill the database with a generated demo organization, then print the logins."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from waggle.core.errors import WaggleError
from waggle.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, do_generate_demo_organization


class Command(BaseCommand):
    help = (
        "Generate a demo organization (departments, people, spaces, questions, answers, "
        "updates, lessons, value reports, kudos) in the configured database. The same seed "
        "gives the same organization."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=300, help="how many people (>= 40)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
        parser.add_argument("--spaces", type=int, default=None,
                            help="how many spaces (default: one per 25 people, at least 20)")
        parser.add_argument("--posts", type=int, default=None,
                            help="how many posts: questions, answers, updates, lessons "
                                 "(default: 10 per person)")
        parser.add_argument("--append", "--force", dest="append", action="store_true",
                            help="generate even though the database already holds posts, "
                                 "adding a second organization beside them")
        parser.add_argument("--quiet", action="store_true", help="no progress bars")
        archive = parser.add_mutually_exclusive_group()
        archive.add_argument("--from-stackexchange", metavar="DIR",
                             help="start the demo on a Stack Exchange dump instead")
        archive.add_argument("--from-slack", metavar="PATH",
                             help="start the demo on a Slack export (zip or folder) instead")
        archive.add_argument("--from-mbox", metavar="PATH", nargs="+",
                             help="start the demo on mbox files or maildir folders instead")

    def handle(self, *args: Any, **opts: Any) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            if not opts["quiet"]:
                self.stdout.write("Migrating the database first ...")
            call_command("migrate", interactive=False, verbosity=0)
        for kind in ("stackexchange", "slack", "mbox"):
            if opts[f"from_{kind}"]:
                self._from_archive(kind, opts[f"from_{kind}"], quiet=opts["quiet"])
                return
        try:
            summary = do_generate_demo_organization(
                people=opts["people"], seed=opts["seed"], spaces=opts["spaces"],
                posts=opts["posts"], append=opts["append"], progress=not opts["quiet"],
            )
        except WaggleError as exc:
            raise CommandError(exc.message) from None
        self._embed(quiet=opts["quiet"])
        self._insights()
        seconds = max(summary.seconds, 0.001)
        self.stdout.write(self.style.SUCCESS(
            f"Generated a demo organization (seed {summary.seed}) in {summary.seconds:.1f} s: "
            f"{summary.people} people ({summary.guests} guests) in {summary.departments} "
            f"departments and {summary.teams} teams, {summary.spaces} spaces, "
            f"{summary.posts} posts ({summary.questions} questions, {summary.answers} answers, "
            f"{summary.updates} updates, {summary.lessons} lessons), {summary.comments} "
            f"comments, {summary.value_reports} value reports, {summary.kudos} kudos, "
            f"{summary.follows} follows ({summary.people / seconds:.0f} people/s, "
            f"{summary.posts / seconds:.0f} posts/s)."
        ))
        if opts["quiet"]:
            return
        self.stdout.write(f"Planted silos: {', '.join(summary.silos)}; bridges between "
                          f"departments: {', '.join(summary.bridges)}.")
        self.stdout.write("\nLog in at http://127.0.0.1:8000/ (run `waggle serve`) as:")
        for username, role in DEMO_LOGINS.items():
            self.stdout.write(f"  {username:<6} {role}")
        self.stdout.write(
            f"Password for every demo account: {DEMO_PASSWORD}  (a demo password: never use "
            "these accounts on a real installation)"
        )

    def _insights(self) -> None:
        """The organization's help-network figures, so the enabler's insights page has them
        from the start (in production a daily timer runs `waggle insights compute`)."""
        from waggle.insights.snapshot import compute_network_snapshot

        compute_network_snapshot()

    def _embed(self, *, quiet: bool) -> None:
        """Embed every thread now, so the demo searches by meaning from its first page (the
        background task would get there too, a few minutes after the server starts)."""
        from tqdm import tqdm

        from waggle.search import embeddings, vectors

        if not embeddings.enabled():
            if not quiet:
                self.stdout.write(f"Search ranks by words only: {embeddings.why_disabled()}.")
            return
        with tqdm(total=embeddings.thread_count(), unit=" threads", desc="Embedding threads",
                  disable=quiet or not sys.stderr.isatty()) as bar:
            counts = embeddings.embed_all(progress=bar.update)
        vectors.rebuild_approximate_if_due()
        if not quiet:
            self.stdout.write(f"Embedded {counts.encoded:,} threads for search by meaning.")

    def _from_archive(self, kind: str, paths: str | list[str], *, quiet: bool) -> None:
        """Import a real archive (idempotent: a second demo on it imports nothing twice)."""
        from waggle.demo.archive import do_open_demo_logins
        from waggle.harvest.records import HarvestError
        from waggle.harvest.runner import run_import
        from waggle.harvest.sources import open_source

        paths = [paths] if isinstance(paths, str) else paths
        source = open_source(kind, paths)
        try:
            summary = run_import(source, progress=not quiet and sys.stderr.isatty(),
                                 description=" ".join(paths), stream=sys.stderr)
        except HarvestError as exc:
            raise CommandError(f"Could not import the archive: {exc}") from None
        for line in summary.lines():
            self.stdout.write(line)
        # Who knows what, at once (the batches' background updates would get there too).
        from waggle.expertise.index import rebuild_expertise

        rebuild_expertise()
        self._embed(quiet=quiet)
        self._insights()
        logins = do_open_demo_logins(kind)
        if not logins:
            raise CommandError("The archive holds nobody who asked, answered or shared anything.")
        self.stdout.write("\nLog in at http://127.0.0.1:8000/ (run `waggle serve`) as one of the "
                          "archive's own people:")
        for username, why in logins.items():
            self.stdout.write(f"  {username}  ({why})")
        self.stdout.write(f"Password for these demo logins: {DEMO_PASSWORD}")
