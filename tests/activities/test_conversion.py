"""On conversion, the lead's activities follow it to the new contact."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities import selectors, services
from activities.models import Call, Event, Task
from conversion.services import ConvertOptions, lead_convert
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_tasks_events_and_calls_follow_the_lead_to_its_contact(rep):
    lead = LeadFactory(owner_user=rep, company="Acme")
    task = services.task_create(data={"lead": lead.pk, "subject": "Follow up"}, acting_user=rep)
    now = timezone.now()
    event = services.event_create(
        data={"lead": lead.pk, "subject": "Demo", "start_at": now, "end_at": now}, acting_user=rep
    )
    call = services.call_log(data={"lead": lead.pk, "subject": "Intro"}, acting_user=rep)

    conversion = lead_convert(lead=lead, acting_user=rep, options=ConvertOptions(opportunity_name="Acme deal"))

    for model, pk in ((Task, task.pk), (Event, event.pk), (Call, call.pk)):
        moved = model.objects.get(pk=pk)
        assert (moved.lead_id, moved.contact_id, moved.converted_lead_id) == (None, conversion.contact_id, lead.pk)
    # The contact, the new opportunity and the converted lead all list the task.
    for object_name, record in (
        ("contact", conversion.contact),
        ("opportunity", conversion.opportunity),
        ("lead", lead),
    ):
        rows = selectors.open_activities(user=rep, object_name=object_name, record=record)
        assert task.pk in {row.activity.pk for row in rows if row.kind == "task"}


def test_a_converted_lead_takes_no_new_activities(rep):
    lead = LeadFactory(owner_user=rep, company="Acme")
    lead_convert(lead=lead, acting_user=rep, options=ConvertOptions(create_opportunity=False))

    with pytest.raises(ValidationError) as caught:
        services.task_create(data={"lead": lead.pk, "subject": "Late"}, acting_user=rep)

    assert "lead" in caught.value.message_dict
