"""`waggle serve`: migrate, then run gunicorn and a task worker until interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Waggle: the web server (gunicorn) and the background task worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("WAGGLE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-migrate", action="store_true", help="skip `migrate` at start")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start a task worker (run `waggle db_worker` elsewhere)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        children: list[subprocess.Popen[bytes]] = []
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        uses_db_queue = settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")
        if uses_db_queue and not opts["no_worker"]:
            children.append(subprocess.Popen(
                [sys.executable, "-m", "waggle.cli", "db_worker", "--interval", "0.5"], env=env
            ))
        web = subprocess.Popen([
            sys.executable, "-m", "gunicorn", "waggle.config.wsgi:application",
            "--bind", opts["bind"], "--workers", str(opts["workers"]),
            "--access-logfile", "-", "--graceful-timeout", "5",
            "--config", "python:waggle.config.gunicorn",
        ], env=env)
        children.append(web)
        self.stdout.write(f"Waggle is running on http://{opts['bind']}/ (Ctrl+C stops it)")
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
