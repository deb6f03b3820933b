"""`waggle import stackexchange DIR | slack PATH | mbox PATH...`: harvest an archive."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waggle.harvest.records import HarvestError
from waggle.harvest.runner import run_import
from waggle.harvest.sources import open_source
from waggle.spaces.models import Space


class Command(BaseCommand):
    help = (
        "Import an archive: a Stack Exchange dump, a Slack export or mail archives. "
        "Re-running creates nothing twice; an interrupted import resumes where it stopped."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        se = kinds.add_parser("stackexchange", help="a Stack Exchange data dump folder")
        se.add_argument("path", metavar="DIR", help="folder holding Posts.xml, Users.xml, ...")
        se.add_argument("--space", help="name of the space to import into (default: the "
                        "folder's name); also identifies the archive on re-runs")
        slack = kinds.add_parser("slack", help="a Slack export (zip or folder)")
        slack.add_argument("path", metavar="PATH", help="export .zip or its unpacked folder")
        mbox = kinds.add_parser("mbox", help="mbox files or maildir folders")
        mbox.add_argument("paths", metavar="PATH", nargs="+",
                          help="mbox files, maildir folders, or folders of mbox files")
        for sub in (se, slack, mbox):
            sub.add_argument("--visibility", choices=[v.value for v in Space.Visibility],
                             default=Space.Visibility.OPEN,
                             help="visibility of spaces this import creates (default: open)")
            sub.add_argument("--restart", action="store_true",
                             help="start over instead of resuming an unfinished import")
            sub.add_argument("--batch", type=int, default=1000, metavar="N",
                             help="records written per transaction (default: 1000)")
            sub.add_argument("--no-progress", action="store_true",
                             help="no progress bar (it is also off when not on a terminal)")

    def handle(self, *args: Any, **opts: Any) -> None:
        kind = opts["kind"]
        paths = opts.get("paths") or [opts["path"]]
        if opts["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        source = open_source(kind, paths, space=opts.get("space"))
        try:
            summary = run_import(
                source, batch_records=opts["batch"], restart=opts["restart"],
                progress=not opts["no_progress"] and sys.stderr.isatty(),
                visibility=opts["visibility"], description=" ".join(paths),
                stream=sys.stderr,
            )
        except HarvestError as exc:
            raise CommandError(
                f"Import stopped: {exc}\nEverything before this batch is imported; fix the "
                f"file and run the same command again to resume."
            ) from exc
        except KeyboardInterrupt:
            raise CommandError(
                "Import interrupted; run the same command again to resume."
            ) from None
        for line in summary.lines():
            self.stdout.write(line)
