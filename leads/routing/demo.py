"""Demo routing: lead settings, a second queue's members, an active assignment rule and a draft."""

from ..models import Queue
from . import services
from .models import AssignmentRule, LeadSettings


def _rule(name: str, description: str, entries: list[dict], *, admin, activate: bool) -> None:
    if AssignmentRule.objects.filter(name=name).exists():
        return
    rule = services.rule_create(name=name, description=description, acting_user=admin)
    for values in entries:
        services.entry_save(rule=rule, data=services.EntryInput(**values), acting_user=admin)
    if activate:
        services.rule_activate(rule=rule, acting_user=admin)


def seed(*, users: dict) -> None:
    admin = users["marketing"]
    inbound, _ = Queue.objects.get_or_create(name="Inbound Sales", defaults={"email": "inbound-sales@example.com"})
    inbound.members.add(users["rep"], users["rep2"])
    partners, _ = Queue.objects.get_or_create(name="Partner Leads", defaults={"email": "partners@example.com"})
    partners.members.add(users["rep2"])
    row, _ = LeadSettings.objects.get_or_create(singleton=1)
    if row.default_owner is None:
        services.lead_settings_update(
            acting_user=admin,
            default_owner=inbound,
            opportunity_required_on_convert=row.opportunity_required_on_convert,
        )
    _rule(
        "Standard Lead Routing",
        "Partners to the partner team, big companies to an account executive, the rest shared in turn.",
        [
            {
                "criteria": [{"field": "rating", "operator": "equals", "value": "Hot"}],
                "do_not_reassign": True,
            },
            {
                "criteria": [{"field": "lead_source", "operator": "includes", "value": ["Partner Referral"]}],
                "assign_to": "queue",
                "assign_queue": partners,
            },
            {
                "criteria": [
                    {"field": "annual_revenue", "operator": "gte", "value": "10000000"},
                    {"field": "number_of_employees", "operator": "gte", "value": "1000"},
                ],
                "filter_logic": "1 OR 2",
                "assign_to": "user",
                "assign_user": users["rep"],
            },
            {
                "criteria": [{"field": "lead_source", "operator": "includes", "value": ["Website", "Webinar"]}],
                "assign_to": "rr_queue",
                "assign_queue": inbound,
                "weighted": True,
            },
        ],
        admin=admin,
        activate=not AssignmentRule.objects.filter(is_active=True).exists(),
    )
    _rule(
        "Trade Show Season (draft)",
        "Everything from trade shows to the inbound team in turn; test it before activating.",
        [
            {
                "criteria": [{"field": "lead_source", "operator": "equals", "value": "Trade Show"}],
                "assign_to": "rr_queue",
                "assign_queue": inbound,
            }
        ],
        admin=admin,
        activate=False,
    )
