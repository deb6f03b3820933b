"""`waggle createadmin USERNAME`: create an administrator (asks for the password)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waggle.core.errors import WaggleError
from waggle.people.actions import do_create_person


class Command(BaseCommand):
    help = (
        "Create an administrator account. The password comes from a prompt or "
        "WAGGLE_ADMIN_PASSWORD."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        password = os.environ.get("WAGGLE_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = do_create_person(opts["username"], password=password, email=opts["email"],
                                    is_staff=True)
        except WaggleError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Administrator {user.username} created.")
