"""With the broker down a visitor still gets the success answer at once; the submission waits,
stored, for the next drain, and the auto-response it leads to waits in the outbox for the sweeper."""

import json

import pytest

from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_template_create
from leads.models import Lead
from webtolead.models import Intake
from webtolead.services import submissions_process


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_submission_succeeds_and_the_email_stays_queued_when_the_broker_is_down(
    client, web_form, fields_for, marketing_admin, broker_down
):
    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks", "body_text": "Hello {{Lead.FirstName}}"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)

    response = client.post("/web-to-lead/", json.dumps(fields_for(web_form)), content_type="application/json")

    assert response.status_code == 200
    assert Intake.objects.get().outcome == Intake.Outcome.RECEIVED
    assert submissions_process() == 1  # beat's drain, the broker still down
    lead = Lead.objects.get()
    assert Intake.objects.get().outcome == Intake.Outcome.CREATED
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.AUTO_RESPONSE, record_id=lead.pk)
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.published_at is None
