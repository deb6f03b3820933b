"""The `waggle` command: Waggle's own commands (serve, demo, createadmin, ...) and every
Django management command (`waggle migrate`, `waggle shell`, ...)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waggle.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(
            "usage: waggle COMMAND [options]\n\n"
            "Waggle commands:\n"
            "  serve         run the web server and the task worker (http://127.0.0.1:8000)\n"
            "  demo          fill the database with a generated demo organization\n"
            "  createadmin   create an administrator account\n"
            "  token         create, list and revoke personal access tokens for the API\n"
            "  db_worker     run background tasks (waggle serve starts one for you)\n\n"
            "Every Django management command works too, e.g. `waggle migrate`, "
            "`waggle help`."
        )
        return
    execute_from_command_line(["waggle", *args])


if __name__ == "__main__":
    main()
