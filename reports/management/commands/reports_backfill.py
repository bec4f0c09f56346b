"""Rebuild the report rollups from every lead (after an upgrade, or after the lead status
picklist's default or "converted" values changed), and the daily Web-to-Lead intake counts."""

from django.core.management.base import BaseCommand

from reports.intake_rollup import intake_counts_backfill
from reports.rollups import rollups_backfill, rollups_recount


class Command(BaseCommand):
    help = (
        "Rebuild the report rollups (lead facts, status visits, daily counts, duration histograms) from every "
        "lead, and the daily Web-to-Lead intake counts from every submission."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--recount-only",
            action="store_true",
            help="Keep the lead facts; recount the daily counts and the duration histograms from them.",
        )

    def handle(self, *args, **options):
        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done:,} leads")

        if options["recount_only"]:
            rollups_recount()
            message = "Daily counts and duration histograms recounted from the lead facts."
        else:
            total = rollups_backfill(log=progress)
            message = f"Rollups rebuilt from {total:,} leads."
        rows = intake_counts_backfill()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"{message} Web-to-Lead intake: {rows:,} daily counts."))
