"""Rebuild the report rollups from every lead (after an upgrade, or after the lead status
picklist's default or "converted" values changed)."""

from django.core.management.base import BaseCommand

from reports.rollups import rollups_backfill


class Command(BaseCommand):
    help = "Rebuild the report rollups (lead facts, status visits, daily counts) from every lead."

    def handle(self, *args, **options):
        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done:,} leads")

        total = rollups_backfill(log=progress)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Rollups rebuilt from {total:,} leads."))
