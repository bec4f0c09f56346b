"""Consent on Web-to-Lead forms: the generated HTML carries the versioned checkbox, a ticked box
records the grant with the text version and the visitor's address, and with double opt-in the grant
waits for the confirmation link (marketing email waits with it)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from consent.models import ConsentRecord, Purpose
from consent.services import consent_state, consent_text_create, form_consent_set, marketing_send_refusal
from emails.models import OutboundEmail
from leads.models import Lead
from webtolead.generator import form_html

pytestmark = pytest.mark.django_db

URL = "/web-to-lead/"


@pytest.fixture
def consent_text(marketing_admin):
    consent_text_create(purpose=Purpose.MARKETING_EMAIL, text="Old wording", acting_user=marketing_admin)
    return consent_text_create(
        purpose=Purpose.MARKETING_EMAIL, text="Yes, send me news about your products.", acting_user=marketing_admin
    )


def test_versions_count_up_per_purpose(consent_text, marketing_admin):
    assert consent_text.version == 2
    assert consent_text_create(purpose=Purpose.PHONE, text="Call me", acting_user=marketing_admin).version == 1


def test_the_generated_form_carries_the_checkbox_with_its_version(web_form, consent_text, marketing_admin):
    assert "consent_marketing_email" not in form_html(web_form, base_url="https://crm.example.com")
    form_consent_set(form=web_form, text=consent_text, double_opt_in=False, acting_user=marketing_admin)
    html = form_html(web_form, base_url="https://crm.example.com")
    assert 'name="consent_marketing_email" type="checkbox" value="1"' in html
    assert "Yes, send me news about your products." in html
    assert html.index("consent_marketing_email") < html.index('type="submit"')


def test_a_ticked_box_records_the_grant_with_the_text_and_address(
    client,
    web_form,
    fields_for,
    consent_text,
    marketing_admin,
):
    form_consent_set(form=web_form, text=consent_text, double_opt_in=False, acting_user=marketing_admin)
    client.post(URL, fields_for(web_form, consent_marketing_email="1"), REMOTE_ADDR="203.0.113.7")
    lead = Lead.objects.get()
    line = ConsentRecord.objects.get(lead=lead)
    assert (line.action, line.source, line.text, line.ip_address) == ("granted", "form", consent_text, "203.0.113.7")


def test_an_unticked_box_records_nothing(client, web_form, fields_for, consent_text, marketing_admin):
    form_consent_set(form=web_form, text=consent_text, double_opt_in=False, acting_user=marketing_admin)
    client.post(URL, fields_for(web_form))
    assert Lead.objects.count() == 1
    assert not ConsentRecord.objects.exists()


def test_double_opt_in_waits_for_the_confirmation_link(
    client,
    web_form,
    fields_for,
    consent_text,
    marketing_admin,
    django_capture_on_commit_callbacks,
):
    form_consent_set(form=web_form, text=consent_text, double_opt_in=True, acting_user=marketing_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, fields_for(web_form, consent_marketing_email="on"))
    lead = Lead.objects.get()
    assert consent_state(lead=lead, purpose=Purpose.MARKETING_EMAIL) == "pending"

    # the confirmation email is transactional: it goes out although consent is pending
    confirmation = OutboundEmail.objects.get(idempotency_key__startswith="consent-confirm:")
    assert (confirmation.status, confirmation.is_marketing) == ("sent", False)
    # a marketing email meanwhile is refused
    marketing = OutboundEmail(to_address=lead.email, object_name="lead", record_id=lead.pk, is_marketing=True)
    assert "not confirmed" in marketing_send_refusal(email=marketing)

    link = re.search(r"(/consent/confirm/\S+/)", mail.outbox[-1].body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert ConsentRecord.objects.filter(lead=lead).count() == 1  # opening the link confirms nothing yet
    client.post(link)
    client.post(link)  # twice is harmless
    assert consent_state(lead=lead, purpose=Purpose.MARKETING_EMAIL) == "granted"
    assert ConsentRecord.objects.filter(lead=lead, source="confirmation").count() == 1
    assert marketing_send_refusal(email=marketing) == ""


def test_a_forged_confirmation_link_is_a_404(client):
    assert client.get(reverse("consent:confirm", args=["forged"])).status_code == 404


def test_the_batched_worker_reads_the_forms_consent_once_and_records_each_ticked_box(
    web_form, consent_text, marketing_admin, django_assert_num_queries
):
    from types import SimpleNamespace

    from consent.services import web_to_lead_consent_many
    from tests.factories import LeadFactory

    # given three submissions of a form with a consent box, two of them ticked, and one of a form without
    form_consent_set(form=web_form, text=consent_text, double_opt_in=False, acting_user=marketing_admin)
    leads = [LeadFactory() for _ in range(4)]
    intakes = [
        SimpleNamespace(pk=n, form_id=web_form.pk, payload=payload, source_address="203.0.113.7", received_at=None)
        for n, payload in enumerate([{"consent_marketing_email": "1"}, {}, {"consent_marketing_email": ["on"]}])
    ] + [SimpleNamespace(pk=3, form_id=None, payload={"consent_marketing_email": "1"}, source_address=None)]

    # when the batch hook runs, the settings are read in one query (the unticked rows write nothing)
    with django_assert_num_queries(1):
        web_to_lead_consent_many(items=list(zip(leads[1:2], intakes[1:2], strict=True)), acting_user=None)
    notes = web_to_lead_consent_many(items=list(zip(leads, intakes, strict=True)), acting_user=None)

    # then the ticked rows have their grant, as one submission at a time records it
    assert [bool(notes[n]) for n in range(4)] == [True, False, True, False]
    granted = set(ConsentRecord.objects.filter(action="granted").values_list("lead_id", flat=True))
    assert granted == {leads[0].pk, leads[2].pk}
