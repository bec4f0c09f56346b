"""Rebuild the queue backlog snapshots of past days from the leads and the lead owner history
(days that have a snapshot keep it)."""

from django.core.management.base import BaseCommand

from reports.backlog import backlog_backfill


class Command(BaseCommand):
    help = "Rebuild the queue backlog of the past days (default 365) from the lead owner history."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args, **options):
        rows = backlog_backfill(days=max(options["days"], 1))
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"{rows:,} queue days rebuilt (days with a snapshot kept)."))
