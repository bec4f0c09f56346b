"""Write the match keys of every lead and contact (after a bulk load that bypassed the services)."""

from django.core.management.base import BaseCommand

from dedupe.services import keys_backfill


class Command(BaseCommand):
    help = "Write the duplicate-matching keys of every lead and contact."

    def add_arguments(self, parser):
        parser.add_argument("--missing-only", action="store_true", help="Only records without keys.")
        parser.add_argument("--chunk", type=int, default=2000)

    def handle(self, *args, **options):
        for object_name in ("lead", "contact"):
            written = keys_backfill(
                object_name=object_name, chunk=options["chunk"], missing_only=options["missing_only"]
            )
            self.stdout.write(f"{object_name}: {written} match keys written")
