"""The routing demo content loads, twice without duplicates."""

import pytest

from leads.routing import demo
from leads.routing.models import AssignmentRule, LeadSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent(marketing_admin, rep):
    users = {"marketing": marketing_admin, "rep": rep, "rep2": UserFactory(username="rep2", role="Sales rep")}
    demo.seed(users=users)
    demo.seed(users=users)
    assert AssignmentRule.objects.count() == 2
    active = AssignmentRule.objects.get(is_active=True)
    assert active.entries.count() == 4
    assert LeadSettings.objects.get().default_owner_queue.name == "Inbound Sales"
