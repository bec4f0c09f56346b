"""``manage.py check_beat``: exit 0 when a beat ticked recently, 1 when none did.

Every beat writes a heartbeat at each tick (``core.beat``), the one holding the beat lock and a
standby alike, so the beat container's healthcheck passes for both; the System health page tells
which one publishes.
"""

import socket

from django.core.management.base import BaseCommand, CommandError

from core import heartbeat


class Command(BaseCommand):
    help = "Exit non-zero unless a celery beat ticked within --max-age seconds."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=float, default=60.0, help="seconds (default 60)")
        parser.add_argument("--local", action="store_true", help="only a beat of this host counts")

    def handle(self, *args, max_age: float, local: bool, **options):
        beats = heartbeat.entries("beat")
        if local:
            host = socket.gethostname()
            beats = [entry for entry in beats if entry["name"].split("@", 1)[-1].rsplit(":", 1)[0] == host]
        fresh = [entry for entry in beats if entry["age"] <= max_age]
        if not fresh:
            raise CommandError(f"no beat ticked in the last {max_age:g} s")
        for entry in fresh:
            role = "publishing" if entry.get("leader") else "standing by"
            self.stdout.write(f"{entry['name']}: ticked {entry['age']:.0f} s ago, {role}")
