"""Demo SLAs: an active SLA rule on the standard business hours, and clocks on the open leads."""

from leads.models import Lead, Queue

from . import services
from .models import BusinessHours, SlaRule


def seed(*, users: dict) -> None:
    admin = users["marketing"]
    if SlaRule.objects.exists():
        return
    hours = BusinessHours.objects.filter(is_default=True).first() or services.business_hours_create(
        name="Standard business hours",
        time_zone="UTC",
        weekly_hours=[["09:00", "17:00"]] * 5 + [None, None],
        is_default=True,
        acting_user=admin,
    )
    rule = services.sla_rule_create(
        name="Speed to lead", description="Queued leads within 2 business hours, the rest within 8.", acting_user=admin
    )
    inbound = Queue.objects.filter(name="Inbound Sales").first()
    if inbound is not None:
        services.sla_policy_create(
            rule=rule,
            data={
                "name": "Inbound queue",
                "criteria": [{"field": "owner", "operator": "equals", "value": f"queue:{inbound.pk}"}],
                "filter_logic": "",
                "business_hours": hours,
                "first_touch_hours": 2,
                "notify_owner": True,
                "notify_user": admin,
            },
            acting_user=admin,
        )
    services.sla_policy_create(
        rule=rule,
        data={
            "name": "Every other lead",
            "criteria": [],
            "filter_logic": "",
            "business_hours": hours,
            "first_touch_hours": 8,
            "notify_owner": True,
        },
        acting_user=admin,
    )
    services.sla_rule_activate(rule=rule, acting_user=admin)
    for lead_id in Lead.objects.filter(is_converted=False).values_list("pk", flat=True):
        services.lead_sla_refresh(lead_id=lead_id)
