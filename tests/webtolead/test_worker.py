"""End to end on real services: a visitor's POST, a real Celery worker on Redis makes the lead and
sends the auto-response to a real SMTP server on loopback."""

import pytest

from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_template_create
from leads.models import Lead
from tests.waiting import wait_until
from webtolead.models import Intake


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_turns_a_posted_submission_into_a_lead_and_its_auto_response(
    client, web_form, fields_for, marketing_admin, smtp_inbox, celery_worker_process
):
    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks, {{Lead.FirstName|there}}", "body_text": "Hello {{Lead.Company}}"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(
        default_template=template, default_from_address="sales@acme.example", acting_user=marketing_admin
    )

    response = client.post("/web-to-lead/", fields_for(web_form, first_name="Grace", company="Navy <Labs>"))

    assert response.status_code == 303
    assert wait_until(lambda: Intake.objects.filter(outcome=Intake.Outcome.CREATED).exists()), "no lead was made"
    lead = Lead.objects.get()
    assert (lead.first_name, lead.company) == ("Grace", "Navy <Labs>")
    assert wait_until(lambda: smtp_inbox.messages), "no auto-response arrived"
    content = smtp_inbox.messages[0].content.decode()
    assert smtp_inbox.messages[0].rcpt_tos == ["ada@example.net"]
    assert "Subject: Thanks, Grace" in content
    assert "Hello Navy <Labs>" in content
    assert wait_until(
        lambda: OutboundEmail.objects.get(kind=OutboundEmail.Kind.AUTO_RESPONSE).status == OutboundEmail.Status.SENT
    )
    assert len(smtp_inbox.messages) == 1
