"""Helpers of the routing tests: queues with members, rules with entries, leads in bulk."""

import pytest
from django.utils import timezone

from leads.models import Lead
from leads.ownership import owner_sort_name
from leads.routing import services
from tests.factories import QueueFactory, UserFactory
from tests.seeding import lead_fields  # noqa: F401  (autouse)


@pytest.fixture
def make_rule(marketing_admin):
    """``make_rule("Name", [dict(criteria=[...], assign_to=..., ...), ...], active=True)``."""

    def _make(name, entries, *, active=True):
        rule = services.rule_create(name=name, acting_user=marketing_admin)
        for values in entries:
            services.entry_save(rule=rule, data=services.EntryInput(**values), acting_user=marketing_admin)
        if active:
            rule = services.rule_activate(rule=rule, acting_user=marketing_admin)
        rule.refresh_from_db()
        return rule

    return _make


@pytest.fixture
def reps(db):
    return [UserFactory(role="Sales rep", username=f"member{i}") for i in range(3)]


@pytest.fixture
def sales_queue(reps):
    queue = QueueFactory(name="Sales Queue")
    queue.members.set(reps)
    return queue


def bulk_leads(count, *, owner_user=None, owner_queue=None, **values):
    """``count`` leads in one insert, arriving one second apart (oldest first)."""
    now = timezone.now()
    rows = [
        Lead(
            first_name=f"F{i}",
            last_name=f"L{i}",
            company=values.get("company", f"Company {i}"),
            status="New",
            lead_source=values.get("lead_source", "Website"),
            owner_user=owner_user,
            owner_queue=owner_queue,
            owner_sort_name=owner_sort_name(owner_user or owner_queue),
            owner_assigned_at=now - timezone.timedelta(seconds=count - i),
            created_at=now,
            last_modified_at=now,
        )
        for i in range(count)
    ]
    return Lead.objects.bulk_create(rows, batch_size=1000)
