"""`waggle expertise rebuild`: recompute who knows what from all the evidence; `waggle expertise
escalate`: offer the questions still unanswered to the next people now; `waggle expertise eval`:
expert finding quality on a Stack Exchange dump (who gave the
accepted answer, found from earlier data only), for Waggle's ranking and three baselines."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waggle.expertise import evaluation
from waggle.expertise.actions import do_escalate_due
from waggle.expertise.index import rebuild_expertise


class Command(BaseCommand):
    help = "Expertise: measure how well Waggle finds the people who know."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        commands.add_parser(
            "rebuild", help="recompute everyone's expertise from the evidence",
            description="The actions keep expertise in step after every write; rebuild after "
            "restoring a backup or changing the weights.")
        commands.add_parser(
            "escalate", help="offer unanswered questions to the next people now",
            description="Questions still unanswered WAGGLE_ESCALATE_AFTER_HOURS after their "
            "last invitations are offered to the next candidates (the task queue does this on "
            "its own; run this from a timer when tasks run inline).")
        evaluate = commands.add_parser(
            "eval", help="expert finding quality on a data set with known answers",
            description="Every question with an accepted answer asked after the first "
            f"{evaluation.TRAIN_SHARE:.0%} of the site's timeline is a test question: the "
            "people with earlier activity (but the asker) are ranked from what happened before "
            "it was asked. MRR, P@1, R@5 and R@10 of the accepted answerer, MRR and R@10 of any "
            "answerer, for Waggle's ranking and the baselines: the most active answerer, the "
            "answerers of the question's topics, and bm25 over each person's earlier answers "
            "(Balog's Model 2).")
        evaluate.add_argument("--stackexchange", type=Path, metavar="DIR", required=True,
                              help="an unpacked Stack Exchange dump (Posts.xml; Comments.xml "
                              "and Votes.xml when present)")
        evaluate.add_argument("--ablation", action="store_true",
                              help="also Waggle's fusion of each signal alone and of each pair")
        evaluate.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "rebuild":
            started = time.monotonic()
            rows = rebuild_expertise()
            self.stdout.write(f"Rebuilt expertise: {rows:,} rows (person, topic, space) in "
                              f"{time.monotonic() - started:.1f} s.")
        elif options["command"] == "escalate":
            invited = do_escalate_due()
            self.stdout.write(f"Invited {invited:,} more people to answer unanswered questions.")
        elif options["command"] == "eval":
            self._evaluate(options)

    def _evaluate(self, options: Any) -> None:
        try:
            site = evaluation.read_site(options["stackexchange"])
        except evaluation.EvaluationError as error:
            raise CommandError(str(error)) from None
        report = evaluation.evaluate(site, ablation=options["ablation"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
        else:
            self.stdout.write(report.table())
