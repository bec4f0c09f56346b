"""A withdrawal survives conversion (the contact inherits the ledger and the opt-out); the lead
page's Consent list, recording from it, and a system admin's export and erasure pages."""

import json

import pytest
from django.apps import apps
from django.urls import reverse

from consent.models import ConsentRecord, DataRequest, Purpose, Suppression
from consent.services import consent_record, consent_state
from conversion.services import ConvertOptions, lead_convert
from leads.models import Lead
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def _sales_fields(db):
    seed_fields("sales")


@pytest.mark.usefixtures("_sales_fields")
def test_a_withdrawal_survives_conversion(rep):
    lead = LeadFactory(owner_user=rep, company="Acme", status="Working")
    consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action="withdrawn", source="api")

    conversion = lead_convert(lead=lead, acting_user=rep, options=ConvertOptions(opportunity_name="Deal"))

    contact = conversion.contact
    contact.refresh_from_db()
    assert contact.email_opt_out is True
    assert ConsentRecord.objects.get().contact == contact
    assert consent_state(contact=contact, purpose=Purpose.MARKETING_EMAIL) == "withdrawn"


@pytest.mark.usefixtures("_sales_fields")
def test_the_contact_page_shows_the_inherited_ledger(client, rep):
    lead = LeadFactory(owner_user=rep, company="Acme", status="Working")
    consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action="withdrawn", source="preference_page")
    contact = lead_convert(lead=lead, acting_user=rep, options=ConvertOptions(opportunity_name="Deal")).contact
    client.force_login(rep)
    page = client.get(reverse("sales:contact_detail", args=[contact.pk]))
    assert b'data-testid="contact-consent"' in page.content
    assert b"Marketing email withdrawn" in page.content
    assert b"Preference page" in page.content


def test_the_lead_page_shows_the_ledger_and_records_a_line(client, rep):
    lead = LeadFactory(owner_user=rep)
    consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action="granted", source="form")
    client.force_login(rep)
    page = client.get(reverse("leads:detail", args=[lead.pk]))
    assert b'data-testid="lead-consent"' in page.content
    assert b"Marketing email granted" in page.content
    assert b'data-testid="person-export"' not in page.content  # for system admins only

    response = client.post(
        reverse("consent:lead_record", args=[lead.pk]),
        {"purpose": "marketing_email", "action": "withdrawn", "note": "Asked at the booth"},
    )
    assert response.status_code == 302
    line = ConsentRecord.objects.filter(lead=lead).latest("id")
    assert (line.action, line.source, line.created_by, line.note) == ("withdrawn", "user", rep, "Asked at the booth")


def test_someone_elses_lead_cannot_be_recorded(client, rep, other_rep):
    lead = LeadFactory(owner_user=other_rep)
    client.force_login(rep)
    response = client.post(
        reverse("consent:lead_record", args=[lead.pk]), {"purpose": "marketing_email", "action": "withdrawn"}
    )
    assert response.status_code == 404
    assert not ConsentRecord.objects.exists()


def test_a_system_admin_downloads_the_export_and_erases(client, system_admin):
    lead = LeadFactory(first_name="Grace", email="grace@example.com")
    client.force_login(system_admin)
    assert b'data-testid="person-erase"' in client.get(reverse("leads:detail", args=[lead.pk])).content

    download = client.get(reverse("consent:lead_export", args=[lead.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="lead-{lead.pk}-data.json"'
    assert json.loads(download.content)["lead"]["first_name"] == "Grace"

    assert client.get(reverse("consent:lead_erase", args=[lead.pk])).status_code == 200
    response = client.post(reverse("consent:lead_erase", args=[lead.pk]))
    assert response.status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert Suppression.objects.count() == 1
    assert list(DataRequest.objects.values_list("kind", flat=True).order_by("id")) == ["export", "erase"]


def test_reps_and_marketing_admins_may_not_export(client, marketing_admin):
    lead = LeadFactory(owner_user=marketing_admin)
    client.force_login(marketing_admin)
    assert client.get(reverse("consent:lead_export", args=[lead.pk])).status_code == 403
    assert client.post(reverse("consent:lead_erase", args=[lead.pk])).status_code == 403


def test_the_setup_page_adds_a_text_version_and_sets_a_forms_checkbox(client, marketing_admin, web_form):
    client.force_login(marketing_admin)
    page = client.get(reverse("consent:setup"))
    assert b"No consent text yet" in page.content
    assert client.post(reverse("consent:setup"), {"purpose": "marketing_email", "text": ""}).status_code == 400
    client.post(reverse("consent:setup"), {"purpose": "marketing_email", "text": "Send me news"})
    text = apps.get_model("consent", "ConsentText").objects.get()
    response = client.post(
        reverse("consent:form_consent", args=[web_form.pk]), {"text": text.pk, "double_opt_in": "on"}
    )
    assert response.status_code == 302
    assert web_form.consent.double_opt_in is True
    assert b"v1" in client.get(reverse("consent:setup")).content
