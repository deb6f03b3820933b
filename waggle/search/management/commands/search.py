"""`waggle search rebuild`: index every post and comment again; `waggle search QUERY --as
USERNAME`: what that person would find (for checking the index from a shell)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.search.index import rebuild_index
from waggle.search.query import engine_name, search


class Command(BaseCommand):
    help = "Search index: rebuild it, or run a query as a person."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        rebuild = commands.add_parser("rebuild", help="index every post and comment again")
        rebuild.add_argument("--no-progress", action="store_true", help="no progress bar")
        query = commands.add_parser("query", help="what a person would find")
        query.add_argument("text", help="the query, as typed in the search box")
        query.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                           help="whose view of Waggle to search")
        query.add_argument("--limit", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "rebuild":
            self._rebuild(options)
        else:
            self._query(options)

    def _rebuild(self, options: Any) -> None:
        total = Post.objects.count()
        with tqdm(total=total, unit=" posts", disable=options["no_progress"],
                  desc="Indexing") as bar:
            entries = rebuild_index(progress=bar.update)
        self.stdout.write(f"Indexed {total:,} posts: {entries:,} search entries "
                          f"({engine_name()}).")

    def _query(self, options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No person with the username {options['username']!r}.") from None
        results = search(user, options["text"], per_page=options["limit"])
        self.stdout.write(f"{results.total:,} results ({results.engine})")
        for hit in results.hits:
            e = hit.entry
            title = str(e.thread)
            self.stdout.write(f"{hit.score:8.3f}  {e.kind:8}  /posts/{e.thread_id}/  {title}")
