"""`waggle insights compute [--incremental]`: compute the organization-wide help-network
insights (daily with --incremental, weekly in full, from a timer); `waggle insights show`:
the latest snapshot's summary."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from waggle.insights.models import InsightsSnapshot
from waggle.insights.snapshot import (
    compute_network_snapshot,
    latest_network_snapshot,
    update_network_snapshot,
)


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
        self.stdout.write(
            f"  {len(data['departments'])} departments shown, {data['hidden_departments']} "
            f"hidden (fewer than {data['k']} people); modularity {data['modularity']:.3f}")
        silos = [d for d in data["departments"] if d["ei_index"] is not None]
        silos.sort(key=lambda d: d["ei_index"])
        for row in silos[:3]:
            self.stdout.write(f"  E-I index {row['ei_index']:+.2f}  {row['name']}")
        self.stdout.write(
            f"  {len(data['flows'])} flows between departments shown, "
            f"{sum(b['count'] for b in data['bridges'])} bridges between shown departments, "
            f"{len(data['enablers'])} enablers sharing their impact")
