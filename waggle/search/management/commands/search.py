"""`waggle search rebuild`: index every post and comment again; `waggle search embed`: compute
missing thread embeddings (semantic ranking); `waggle search QUERY --as
USERNAME`: what that person would find (for checking the index from a shell); `waggle search
eval`: search quality on a data set with known answers (SemEval-2016 subtask B, a Stack Exchange
dump), for lexical, semantic and hybrid ranking."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.search import embeddings, evaluation, semantic, vectors
from waggle.search.index import rebuild_index
from waggle.search.query import engine_name, search


class Command(BaseCommand):
    help = "Search index: rebuild it, or run a query as a person."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        rebuild = commands.add_parser("rebuild", help="index every post and comment again")
        rebuild.add_argument("--no-progress", action="store_true", help="no progress bar")
        embed = commands.add_parser(
            "embed", help="compute the embeddings of threads that have none or a stale one",
            description="Semantic ranking: embed every thread whose embedding is missing or "
            "stale (the background task does this after each write; run this after a bulk "
            "import or a model change), then build the approximate vector index when there "
            "are enough vectors for it.")
        embed.add_argument("--no-progress", action="store_true", help="no progress bar")
        embed.add_argument("--rebuild-vector-index", action="store_true",
                           help="build the approximate vector index even if it is current")
        query = commands.add_parser("query", help="what a person would find")
        query.add_argument("text", help="the query, as typed in the search box")
        query.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                           help="whose view of Waggle to search")
        query.add_argument("--limit", type=int, default=10)
        evaluate = commands.add_parser(
            "eval", help="search quality on a data set with known answers",
            description="MAP and MRR on a SemEval-2016 Task 3 file (subtask B), with the file's "
            "own ranking as the IR baseline; MRR@10, R@1 and R@10 on a Stack Exchange dump, "
            "duplicate and related links being the answers. Lexical, semantic and hybrid.")
        data = evaluate.add_mutually_exclusive_group(required=True)
        data.add_argument("--semeval", type=Path, metavar="FILE",
                          help="a SemEval-2016 Task 3 XML file (e.g. ...-QL-dev.xml)")
        data.add_argument("--stackexchange", type=Path, metavar="DIR",
                          help="an unpacked Stack Exchange dump (Posts.xml, PostLinks.xml)")
        evaluate.add_argument("--gold", type=Path, metavar="FILE",
                              help="SemEval gold labels (default: FILE.subtaskB.relevancy "
                              "beside it)")
        evaluate.add_argument("--json", action="store_true", help="print one JSON object")
        evaluate.add_argument("--lexical-only", action="store_true",
                              help="skip semantic and hybrid even when the extra is installed")
        evaluate.add_argument("--queries", type=int, default=None, metavar="N",
                              help="the first N queries only (a quick check)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "rebuild":
            self._rebuild(options)
        elif options["command"] == "embed":
            self._embed(options)
        elif options["command"] == "eval":
            self._evaluate(options)
        else:
            self._query(options)

    def _rebuild(self, options: Any) -> None:
        total = Post.objects.count()
        with tqdm(total=total, unit=" posts", disable=options["no_progress"],
                  desc="Indexing") as bar:
            entries = rebuild_index(progress=bar.update)
        self.stdout.write(f"Indexed {total:,} posts: {entries:,} search entries "
                          f"({engine_name()}).")

    def _embed(self, options: Any) -> None:
        if not embeddings.enabled():
            raise CommandError(f"Semantic ranking is off: {embeddings.why_disabled()}.")
        with tqdm(total=embeddings.thread_count(), unit=" threads",
                  disable=options["no_progress"], desc="Embedding") as bar:
            counts = embeddings.embed_all(progress=bar.update)
        self.stdout.write(
            f"Threads: {counts.encoded:,} encoded, {counts.unchanged:,} unchanged, "
            f"{counts.moved:,} moved; {counts.removed:,} embeddings of deleted threads removed.")
        if options["rebuild_vector_index"] and embeddings.embedded_count():
            meta = vectors.build_approximate()
        elif vectors.rebuild_approximate_if_due():
            meta = vectors.approximate_status() or {}
        else:
            meta = {}
        if meta:
            self.stdout.write(f"Approximate vector index: {meta['vectors']:,} vectors saved in "
                              f"{vectors.directory()}.")

    def _query(self, options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No person with the username {options['username']!r}.") from None
        results = search(user, options["text"], per_page=options["limit"])
        self.stdout.write(f"{results.total:,} results ({results.engine}, "
                          f"{results.ranking} ranking)")
        for hit in results.hits:
            e = hit.entry
            title = str(e.thread)
            self.stdout.write(f"{hit.score:8.3f}  {e.kind:8}  /posts/{e.thread_id}/  {title}")

    def _evaluate(self, options: Any) -> None:
        if options["gold"] and not options["semeval"]:
            raise CommandError("--gold goes with --semeval.")
        try:
            if options["semeval"]:
                collection = evaluation.read_semeval(options["semeval"], options["gold"])
            else:
                collection = evaluation.read_stackexchange(options["stackexchange"])
        except evaluation.EvaluationError as error:
            raise CommandError(str(error)) from None
        if options["queries"] is not None:
            collection = evaluation.first_queries(collection, options["queries"])
        missing = ""
        if options["lexical_only"]:
            missing = "skipped (--lexical-only)"
        elif not semantic.available():
            missing = f"not measured: {semantic.MISSING} ({semantic.INSTALL})"
        report = evaluation.evaluate(collection, None if missing else semantic.encode, missing)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
        else:
            self.stdout.write(report.table())
