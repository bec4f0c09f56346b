"""SLA clocks on PostgreSQL: started by intake and assignment, stopped by the first touch, and the
breach sweep (actions once per breach, recorded in the lead's history)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.services import call_log
from core.models import FieldHistory
from emails.models import OutboundEmail
from leads.intake import lead_intake
from leads.models import Lead
from leads.routing.services import lead_send_to_queue
from leads.services import lead_note_create, lead_update
from sla import services
from sla.models import LeadSla, SlaBreachAction
from sla.selectors import queue_health, sla_badge
from tests.factories import LeadFactory, LeadNoteFactory

pytestmark = pytest.mark.django_db


def intake(owner, **data):
    return lead_intake(
        data={"last_name": "Lovelace", "company": "Acme", "lead_source": "Website", **data},
        acting_user=owner if not hasattr(owner, "members") else None,
        owner=owner,
        source="api",
    ).lead


def test_a_lead_arriving_in_a_queue_gets_its_policy_and_due_time(sla_rule, hot_queue, marketing_admin):
    lead = lead_intake(
        data={"last_name": "Lovelace", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api"
    ).lead

    clock = LeadSla.objects.get(lead=lead)
    assert clock.policy_name == "Hot queue"
    assert clock.status == LeadSla.Status.OPEN
    expected = services.due_time(clock.policy, clock.started_at)
    assert clock.due_at == expected
    assert dt.timedelta(minutes=59) < clock.due_at - clock.started_at <= dt.timedelta(hours=1)


def test_a_lead_no_policy_covers_has_no_clock(sla_rule, rep):
    lead = lead_intake(data={"last_name": "Plain", "company": "Acme"}, acting_user=rep, source="api").lead
    assert not LeadSla.objects.filter(lead=lead).exists()


def test_the_lead_source_chooses_the_policy(sla_rule, rep):
    lead = lead_intake(
        data={"last_name": "Web", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    clock = LeadSla.objects.get(lead=lead)
    assert clock.policy_name == "Webinar"
    assert clock.due_at - clock.started_at >= dt.timedelta(hours=3, minutes=59)


def test_moving_the_lead_to_another_queue_restarts_the_clock_under_its_policy(
    sla_rule, hot_queue, escalation_queue, marketing_admin
):
    lead = lead_intake(
        data={"last_name": "Mover", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api"
    ).lead
    lead_send_to_queue(lead=lead, queue=escalation_queue, acting_user=marketing_admin)
    clock = LeadSla.objects.get(lead=lead)
    assert clock.policy_name == "Escalated"
    assert clock.cycle == 1
    assert clock.due_at - clock.started_at > dt.timedelta(hours=1, minutes=59)


def test_a_note_by_a_person_is_the_first_touch(sla_rule, rep):
    lead = lead_intake(
        data={"last_name": "Noted", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    note = lead_note_create(lead=lead, body="Called, left a message", acting_user=rep)
    clock = LeadSla.objects.get(lead=lead)
    assert clock.status == LeadSla.Status.MET
    assert clock.first_touched_at == note.created_at


def test_a_status_change_by_a_person_is_the_first_touch(sla_rule, rep):
    lead = lead_intake(
        data={"last_name": "Worked", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    lead_update(lead=lead, data={"status": "Working"}, acting_user=rep)
    assert LeadSla.objects.get(lead=lead).status == LeadSla.Status.MET


def test_a_logged_call_is_the_first_touch(sla_rule, rep):
    lead = lead_intake(
        data={"last_name": "Rung", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    call_log(data={"subject": "Intro call", "lead": lead}, acting_user=rep)
    assert LeadSla.objects.get(lead=lead).status == LeadSla.Status.MET


def _past_due(lead, minutes=5):
    LeadSla.objects.filter(lead=lead).update(due_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_a_breach_notifies_moves_and_is_recorded_once(
    sla_rule, hot_queue, escalation_queue, marketing_admin, rep, other_rep
):
    lead = lead_intake(
        data={"last_name": "Late", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api"
    ).lead
    _past_due(lead)

    assert services.sla_breaches_sweep() == 1
    assert services.sla_breaches_sweep() == 0  # a second sweep finds nothing to do

    actions = set(SlaBreachAction.objects.filter(lead=lead, cycle=1).values_list("action", flat=True))
    assert actions == {"notify_owner", "notify_manager", "move_to_queue"}
    lead.refresh_from_db()
    assert lead.owner_queue == escalation_queue
    emails = OutboundEmail.objects.filter(object_name="lead", record_id=lead.pk, kind=OutboundEmail.Kind.NOTIFICATION)
    assert {e.to_address for e in emails} == {hot_queue.email, other_rep.email}
    breach = FieldHistory.objects.get(object_name="lead", record_id=lead.pk, field_name="sla_status")
    assert breach.new_value == "breached"
    assert "Hot queue" in breach.note
    assert "Escalations" in breach.note
    # The escalation queue's own policy starts a new clock.
    clock = LeadSla.objects.get(lead=lead)
    assert (clock.cycle, clock.status, clock.policy_name) == (2, LeadSla.Status.OPEN, "Escalated")
    assert clock.breached_queue == hot_queue


def test_each_breach_action_is_taken_once_per_breach(sla_rule, hot_queue, marketing_admin):
    lead = lead_intake(
        data={"last_name": "Twice", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api"
    ).lead
    clock = LeadSla.objects.get(lead=lead)
    SlaBreachAction.objects.create(
        lead=lead, cycle=clock.cycle, action="notify_owner", policy=clock.policy, done_at=timezone.now()
    )
    _past_due(lead)
    services.sla_breaches_sweep()
    assert SlaBreachAction.objects.filter(lead=lead, cycle=1, action="notify_owner").count() == 1
    owner_emails = OutboundEmail.objects.filter(record_id=lead.pk, idempotency_key__contains=":owner:")
    assert not owner_emails.exists()


def test_a_touch_the_hooks_missed_is_met_not_breached(sla_rule, rep):
    lead = lead_intake(
        data={"last_name": "Quiet", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    LeadNoteFactory(lead=lead, created_by=rep, created_at=timezone.now() - dt.timedelta(minutes=10))
    _past_due(lead)
    assert services.sla_breaches_sweep() == 0
    assert LeadSla.objects.get(lead=lead).status == LeadSla.Status.MET
    assert not SlaBreachAction.objects.filter(lead=lead).exists()


def test_reassign_on_breach_runs_the_assignment_rule(make_sla_rule, hours, hot_queue, marketing_admin, other_rep):
    from leads.routing import services as routing

    rule = routing.rule_create(name="Route", acting_user=marketing_admin)
    routing.entry_save(
        rule=rule, data=routing.EntryInput(criteria=[], assign_user=other_rep), acting_user=marketing_admin
    )
    routing.rule_activate(rule=rule, acting_user=marketing_admin)
    make_sla_rule(
        [
            {
                "name": "Queue",
                "criteria": [{"field": "owner", "operator": "equals", "value": f"queue:{hot_queue.pk}"}],
                "business_hours": hours,
                "first_touch_hours": 1,
                "notify_owner": False,
                "reassign": True,
            }
        ]
    )
    lead = lead_intake(
        data={"last_name": "Reassigned", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api"
    ).lead
    _past_due(lead)
    services.sla_breaches_sweep()
    lead.refresh_from_db()
    assert lead.owner_user == other_rep
    assert SlaBreachAction.objects.filter(lead=lead, action="reassign").count() == 1


def test_a_policy_cannot_both_reassign_and_move(make_sla_rule, hours, hot_queue):
    with pytest.raises(ValidationError) as caught:
        make_sla_rule(
            [
                {
                    "name": "Both",
                    "criteria": [],
                    "business_hours": hours,
                    "first_touch_hours": 1,
                    "reassign": True,
                    "move_to_queue": hot_queue,
                }
            ]
        )
    assert "move_to_queue" in caught.value.message_dict


def test_business_hours_are_validated(marketing_admin):
    with pytest.raises(ValidationError) as caught:
        services.business_hours_create(
            name="Bad",
            time_zone="Mars/Olympus",
            weekly_hours=[["17:00", "09:00"]] + [None] * 6,
            acting_user=marketing_admin,
        )
    assert set(caught.value.message_dict) == {"time_zone", "weekly_hours"}


def test_badges_read_breaching_soon_and_breached(sla_rule, rep):
    lead = lead_intake(
        data={"last_name": "Soon", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    clock = LeadSla.objects.get(lead=lead)
    now = clock.due_at - dt.timedelta(minutes=10)
    badge = sla_badge(clock, now)
    assert (badge.state, badge.minutes_left) == ("at_risk", 10)
    assert sla_badge(clock, clock.due_at + dt.timedelta(seconds=1)).state == "breached"
    assert sla_badge(clock, clock.due_at - dt.timedelta(hours=2)).state == "open"


def test_queue_health_counts_backlog_oldest_and_breaches_today(sla_rule, hot_queue, escalation_queue, marketing_admin):
    old = LeadFactory(owner_user=None, owner_queue=hot_queue, owner_assigned_at=timezone.now() - dt.timedelta(days=2))
    lead_intake(data={"last_name": "A", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api")
    late = lead_intake(
        data={"last_name": "B", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api"
    ).lead
    _past_due(late)
    services.sla_breaches_sweep()

    rows = {row.queue.name: row for row in queue_health(user=marketing_admin)}
    assert rows["Hot Leads"].backlog == 2
    assert rows["Hot Leads"].oldest_at == Lead.objects.get(pk=old.pk).owner_assigned_at
    assert rows["Hot Leads"].breaches_today == 1
    assert rows["Escalations"].backlog == 1
    assert rows["Escalations"].breaches_today == 0


def test_the_demo_sla_rule_starts_clocks_on_open_leads(rep, marketing_admin):
    from sla import demo
    from sla.models import SlaRule

    LeadFactory.create_batch(3, owner_user=rep)
    demo.seed(users={"marketing": marketing_admin})
    demo.seed(users={"marketing": marketing_admin})  # a second run adds nothing

    assert SlaRule.objects.get().is_active
    assert LeadSla.objects.filter(status=LeadSla.Status.OPEN, policy_name="Every other lead").count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clock_locked_by_another_sweep_is_skipped_not_waited_for(sla_rule, rep):
    import threading

    from django.db import connection, transaction

    late = lead_intake(
        data={"last_name": "Locked", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    other = lead_intake(
        data={"last_name": "Free", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    LeadSla.objects.filter(lead__in=[late, other]).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with transaction.atomic():
            LeadSla.objects.select_for_update().get(lead=late)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        assert services.sla_breaches_process(limit=10) == (1, 1)
        assert LeadSla.objects.get(lead=other).status == LeadSla.Status.BREACHED
        assert LeadSla.objects.get(lead=late).status == LeadSla.Status.OPEN
    finally:
        release.set()
        holder.join()
    assert services.sla_breaches_process(limit=10) == (1, 1)
