"""``manage.py check_worker``: exit 0 when a Celery worker answers a ping, 1 when none does.

Used by the worker's healthcheck (``--local``: this host's worker must answer) and by an operator
asking whether any worker is up at all.
"""

import socket

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Exit non-zero unless a Celery worker answers a ping (celery inspect ping) in time."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for an answer (default 5)")
        parser.add_argument(
            "--destination",
            action="append",
            default=[],
            help="worker node name to ask (e.g. celery@host); repeat for several; default: every worker",
        )
        parser.add_argument(
            "--local", action="store_true", help="only a worker of this host counts (node name <name>@<hostname>)"
        )

    def handle(self, *args, timeout: float, destination: list[str], local: bool, **options):
        from leadcrm.celery import app

        destinations = list(destination)
        try:
            answers = app.control.inspect(timeout=timeout, destination=destinations or None).ping() or {}
        except Exception as exc:  # the broker is down: no worker can be reached either
            raise CommandError(f"no worker answered: the broker is unreachable ({type(exc).__name__})") from exc
        if local:
            # Workers of this host, whatever their node name's prefix (celery@, intake@, ...).
            host = socket.gethostname()
            answers = {name: answer for name, answer in answers.items() if name.split("@", 1)[-1] == host}
        if not answers:
            where = ", ".join(destinations) if destinations else ("this host" if local else "any worker")
            raise CommandError(f"no worker answered within {timeout:g} s ({where})")
        for name in sorted(answers):
            self.stdout.write(f"{name}: ok")
