"""Load demo users, picklists, queues and about 200 leads (and each app's demo content). Idempotent."""

import importlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from core.roles import MARKETING_ADMIN, SALES_REP, SYSTEM_ADMIN, ensure_roles

DEMO_PASSWORD = "demo-pass-123"  # noqa: S105 - printed for the demo, never used in production
DEMO_USERS = [
    # key, username, first, last, role
    ("rep", "rep", "Riley", "Parker", SALES_REP),
    ("rep2", "rep2", "Jordan", "Blake", SALES_REP),
    ("marketing", "marketing", "Morgan", "Lee", MARKETING_ADMIN),
    ("sysadmin", "admin", "Sam", "Taylor", SYSTEM_ADMIN),
]
# Each app may ship a demo module with seed(*, users); lower apps first.
DEMO_MODULES = [
    "leads.demo",
    "leads.routing.demo",
    "sales.demo",
    "emails.demo",
    "webtolead.demo",
    "conversion.demo",
    "campaigns.demo",
    "consent.demo",
    "sla.demo",
]


class Command(BaseCommand):
    help = "Load demo data: users for each role, a queue and about 200 leads. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print only the logins.")

    def handle(self, *args, quiet=False, **options):
        ensure_roles()
        users = {}
        with transaction.atomic():
            for key, username, first, last, role in DEMO_USERS:
                user, created = get_user_model().objects.get_or_create(
                    username=username,
                    defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.is_staff = role == SYSTEM_ADMIN
                    user.save()
                user.groups.add(Group.objects.get(name=role))
                users[key] = user
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                    continue  # that app ships no demo content
                raise
            with transaction.atomic():
                module.seed(users=users)
            if not quiet:
                self.stdout.write(f"  demo data loaded: {name}")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for _key, username, first, last, role in DEMO_USERS:
            self.stdout.write(f"  {role:<16} {username:<10} ({first} {last})")
