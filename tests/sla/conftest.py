"""SLA fixtures: business hours, an active SLA rule with policies, and leads made by intake."""

import pytest

from sla import services
from tests.factories import QueueFactory
from tests.seeding import lead_fields  # noqa: F401  (autouse)

ALWAYS_OPEN = [["00:00", "00:00"]] * 7


def criterion(field, operator, value=None) -> dict:
    return {"field": field, "operator": operator, "value": value}


@pytest.fixture
def hours(marketing_admin):
    return services.business_hours_create(
        name="Round the clock", time_zone="Europe/Paris", weekly_hours=ALWAYS_OPEN, acting_user=marketing_admin
    )


@pytest.fixture
def hot_queue(rep):
    queue = QueueFactory(name="Hot Leads")
    queue.members.set([rep])
    return queue


@pytest.fixture
def escalation_queue(other_rep):
    queue = QueueFactory(name="Escalations")
    queue.members.set([other_rep])
    return queue


@pytest.fixture
def make_sla_rule(marketing_admin):
    """``make_sla_rule([dict(criteria=[...], name=..., business_hours=..., first_touch_hours=...)])``."""

    def _make(policies, name="Speed to lead"):
        rule = services.sla_rule_create(name=name, acting_user=marketing_admin)
        for values in policies:
            services.sla_policy_create(
                rule=rule, data={"notify_owner": True, "filter_logic": "", **values}, acting_user=marketing_admin
            )
        return services.sla_rule_activate(rule=rule, acting_user=marketing_admin)

    return _make


@pytest.fixture
def sla_rule(make_sla_rule, hours, hot_queue, escalation_queue, other_rep):
    """Hot Leads queue: 1 business hour, then notify the owner and a manager and move the lead to
    Escalations. Webinar leads: 4 hours, notify the owner. Escalations: 2 hours, notify only."""
    return make_sla_rule(
        [
            {
                "name": "Hot queue",
                "criteria": [criterion("owner", "equals", f"queue:{hot_queue.pk}")],
                "business_hours": hours,
                "first_touch_hours": 1,
                "notify_user": other_rep,
                "move_to_queue": escalation_queue,
            },
            {
                "name": "Escalated",
                "criteria": [criterion("owner", "equals", f"queue:{escalation_queue.pk}")],
                "business_hours": hours,
                "first_touch_hours": 2,
            },
            {
                "name": "Webinar",
                "criteria": [criterion("lead_source", "equals", "Webinar")],
                "business_hours": hours,
                "first_touch_hours": 4,
            },
        ]
    )


@pytest.fixture
def private_sharing(db):
    from core.models import OrgSettings

    OrgSettings.objects.update_or_create(pk=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
