"""`waggle insights compute [--incremental]`: compute the organization-wide help-network
insights (daily with --incremental, weekly in full, from a timer); `waggle insights show`:
the latest snapshot's summary; `waggle insights report --format html|json [--output FILE]
[--as USERNAME]`: the organization's insights as a self-contained HTML page or JSON, the
figures of the /insights/ page.

The report is the organization's view. `--as` an enabler gives exactly what that enabler sees
on /insights/ (value by department, topic and space, most valuable content, all through their
visibility gate); without `--as` it holds the help-network aggregates only (the same for every
enabler, every group below K suppressed), as `show` prints them. Neither has per-person figures.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from waggle.insights.access import can_see_org_insights
from waggle.insights.models import InsightsSnapshot
from waggle.insights.pictures import inline_assets
from waggle.insights.report import (
    VALUE_GROUPINGS,
    WEEKS,
    OrganizationInsights,
    organization_insights,
)
from waggle.insights.snapshot import (
    compute_network_snapshot,
    latest_network_snapshot,
    update_network_snapshot,
)
from waggle.people.models import User


class Command(BaseCommand):
    help = "Insights: the help network between departments, in aggregate."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        compute = commands.add_parser(
            "compute", help="compute the help-network snapshot",
            description="Reads who helped whom (answers, accepted answers, value reports, "
            "kudos; people who opted out of analytics left out), computes the figures between "
            "departments with every group smaller than WAGGLE_MIN_GROUP_SIZE suppressed, and "
            "stores them. Run it daily with --incremental and weekly without.")
        compute.add_argument(
            "--incremental", action="store_true",
            help="add the help since the last run to the saved state (computes in full when "
            "there is none, or when help was removed or people changed since)")
        commands.add_parser("show", help="summarize the latest snapshot")
        report = commands.add_parser(
            "report", help="the organization's insights as a report (HTML or JSON)",
            description="The figures of the /insights/ page as one self-contained HTML file "
            "(charts and tables, no network needed to open it) or as JSON (the same figures "
            "and the charts' specs). With --as an enabler: what that enabler sees, value and "
            "content included. Without --as: the help-network aggregates only. Never a "
            "per-person figure.")
        report.add_argument("--format", choices=("html", "json"), default="html",
                            help="html (default) or json")
        report.add_argument("--output", metavar="FILE",
                            help="write the report to FILE (default: standard output)")
        report.add_argument("--as", dest="as_user", metavar="USERNAME",
                            help="the enabler whose view the report shows")
        report.add_argument("--weeks", type=int, default=WEEKS,
                            help=f"weeks of value over time (default {WEEKS})")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "compute":
            if options["incremental"]:
                snapshot = update_network_snapshot()
            else:
                snapshot = compute_network_snapshot()
            self._summary(snapshot)
        elif options["command"] == "show":
            latest = latest_network_snapshot()
            if latest is None:
                self.stdout.write("No help-network snapshot yet: run `waggle insights compute`.")
            else:
                self._summary(latest)
        elif options["command"] == "report":
            self._report(options)

    def _summary(self, snapshot: InsightsSnapshot) -> None:
        data = snapshot.data
        mode = data.get("mode", "full")
        reason = f" ({data['reason']})" if data.get("reason") else ""
        self.stdout.write(
            f"Help network, {mode}{reason}, computed {snapshot.computed_at:%Y-%m-%d %H:%M} "
            f"in {snapshot.seconds:.1f} s:")
        if data.get("people") is None:
            self.stdout.write(f"  fewer than {data['k']} people counted: nothing to show.")
            return
        interactions = data["interactions"]
        self.stdout.write(
            f"  {data['people']:,} people, {interactions['total']:,} help interactions "
            f"({interactions['answer']:,} answers, {interactions['accepted_answer']:,} accepted, "
            f"{interactions['value_report']:,} value reports, {interactions['kudos']:,} kudos), "
            f"{data['ties']:,} ties")
        # Modularity says how much help stays inside departments: with none shown, or no help
        # inside any of them, there is nothing to say.
        modularity = (f"modularity {data['modularity']:.3f}" if data["departments"]
                      and data["modularity"] is not None
                      else "modularity not defined (no departments to compare)")
        self.stdout.write(
            f"  {len(data['departments'])} departments shown, {data['hidden_departments']} "
            f"hidden (fewer than {data['k']} people); {modularity}")
        silos = [d for d in data["departments"] if d["ei_index"] is not None]
        silos.sort(key=lambda d: d["ei_index"])
        for row in silos[:3]:
            self.stdout.write(f"  E-I index {row['ei_index']:+.2f}  {row['name']}")
        self.stdout.write(
            f"  {len(data['flows'])} flows between departments shown, "
            f"{sum(b['count'] for b in data['bridges'])} bridges between shown departments, "
            f"{len(data['enablers'])} enablers sharing their impact")

    def _report(self, options: dict[str, Any]) -> None:
        if options["weeks"] < 1 or options["weeks"] > 104:
            raise CommandError("--weeks must be between 1 and 104.")
        viewer = None
        if options["as_user"] is not None:
            username = options["as_user"].strip().lstrip("@")
            viewer = User.objects.filter(username__iexact=username, is_active=True).first()
            if viewer is None:
                raise CommandError(f"Nobody has the username {username!r}.")
            if not can_see_org_insights(viewer):
                raise CommandError(
                    f"{viewer.username} is not an enabler: the report is the organization's "
                    "view, for enablers (an administrator grants the role in the admin site).")
        insights = organization_insights(viewer, weeks=options["weeks"])
        if options["format"] == "json":
            text = json.dumps(insights.as_json(), indent=2, ensure_ascii=False) + "\n"
        else:
            text = self._html(insights, VALUE_GROUPINGS)
        if options["output"]:
            path = Path(options["output"])
            try:
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from None
            self.stderr.write(f"Wrote the {options['format'].upper()} report to {path}.")
        else:
            self.stdout.write(text, ending="")

    @staticmethod
    def _html(insights: OrganizationInsights, groupings: Any) -> str:
        return render_to_string("web/insights/report.html", {
            "insights": insights, "assets": inline_assets(), "groupings": groupings,
            "links": False,
        })
