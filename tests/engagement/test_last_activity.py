"""A lead's last activity (a column of the lead row, sorted by the lead list) moves forward with its
engagement events and with the work people do on it: a status change, a note, a logged call, a
completed task. An edit of another field is no activity."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities import services as activities
from leads.models import Lead
from leads.services import lead_mass_change_status, lead_note_create, lead_update
from leads.sort_keys import leads_last_activity_advance
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _activity(lead) -> object:
    return Lead.objects.values_list("last_activity_at", flat=True).get(pk=lead.pk)


@pytest.fixture
def lead(rep):
    return LeadFactory(owner_user=rep, status="New")


def test_a_persons_status_change_is_activity(rep, lead):
    updated = lead_update(lead=lead, data={"status": "Working"}, acting_user=rep)

    assert _activity(lead) == updated.last_modified_at


def test_an_edit_of_another_field_is_no_activity(rep, lead):
    lead_update(lead=lead, data={"phone": "+1 555 0100"}, acting_user=rep)

    assert _activity(lead) is None


def test_a_status_change_never_moves_the_last_activity_back(rep, lead):
    later = timezone.now() + timedelta(days=1)
    leads_last_activity_advance(times={lead.pk: later})

    lead_update(lead=lead, data={"status": "Working"}, acting_user=rep)

    assert _activity(lead) == later


def test_a_mass_status_change_is_activity_for_each_lead(rep, lead):
    other = LeadFactory(owner_user=rep, status="New")

    result = lead_mass_change_status(lead_ids=[lead.pk, other.pk], status="Working", acting_user=rep)

    assert result.updated == 2
    times = {_activity(lead), _activity(other)}
    assert len(times) == 1
    assert None not in times


def test_a_note_a_logged_call_and_a_completed_task_are_activity(rep, lead):
    note = lead_note_create(lead=lead, body="Asked for a quote.", acting_user=rep)
    assert _activity(lead) == note.created_at

    called_at = timezone.now() + timedelta(minutes=5)
    activities.call_log(data={"lead": lead.pk, "subject": "Intro call", "called_at": called_at}, acting_user=rep)
    assert _activity(lead) == called_at

    task = activities.task_create(data={"lead": lead.pk, "subject": "Send quote"}, acting_user=rep)
    assert _activity(lead) == called_at  # an open task is no activity yet
    done = activities.task_complete(task=task, acting_user=rep)
    assert done.completed_at < called_at  # earlier than the call: the last activity stays
    assert _activity(lead) == called_at


def test_a_task_logged_as_completed_is_activity(rep, lead):
    task = activities.task_create(
        data={"lead": lead.pk, "subject": "Sent the brochure", "status": "completed"}, acting_user=rep
    )

    assert _activity(lead) == task.completed_at
