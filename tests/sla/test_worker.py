"""A real Celery worker on Redis runs the breach sweep: a lead whose SLA clock ran out (time moved
past its due time) is breached once, its owner and manager notified, and it is moved on."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from core.models import FieldHistory
from emails.models import OutboundEmail
from leads.intake import lead_intake
from leads.models import Lead
from sla.models import LeadSla, SlaBreachAction
from sla.tasks import sweep_breaches
from tests.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_worker_breaches_a_late_lead_once(
    celery_worker_process, sla_rule, hot_queue, escalation_queue, marketing_admin, other_rep
):
    lead = lead_intake(
        data={"last_name": "Late", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api"
    ).lead
    on_time = lead_intake(
        data={"last_name": "OnTime", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api"
    ).lead
    # Move time: the first lead's hour ran out two minutes ago; the other still has its hour.
    LeadSla.objects.filter(lead=lead).update(due_at=timezone.now() - dt.timedelta(minutes=2))

    # Beat may publish the sweep twice (two ticks, two beats): the worker runs both.
    sweep_breaches.delay()
    sweep_breaches.delay()

    assert wait_until(lambda: Lead.objects.get(pk=lead.pk).owner_queue_id == escalation_queue.pk)
    # The solo worker runs the second sweep right after the first: give it time to find nothing.
    time.sleep(2)
    breaches = FieldHistory.objects.filter(object_name="lead", record_id=lead.pk, field_name="sla_status")
    assert breaches.count() == 1
    assert set(SlaBreachAction.objects.filter(lead=lead).values_list("action", flat=True)) == {
        "notify_owner",
        "notify_manager",
        "move_to_queue",
    }
    notified = set(
        OutboundEmail.objects.filter(record_id=lead.pk, kind=OutboundEmail.Kind.NOTIFICATION).values_list(
            "to_address", flat=True
        )
    )
    assert notified == {hot_queue.email, other_rep.email}
    assert LeadSla.objects.get(lead=on_time).status == LeadSla.Status.OPEN
    assert not SlaBreachAction.objects.filter(lead=on_time).exists()
