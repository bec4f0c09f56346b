"""Consent recorded directly on a contact (its page and the API), and a person's export and erasure
when they are a converted lead and a contact: the lead is deleted, the contact's personal data
emptied (the record stays for its opportunities), accounts and opportunities kept, all in one
transaction, audited, and the addresses never emailed again."""

import json

import pytest
from django.urls import reverse

from consent import services
from consent.models import ConsentRecord, DataRequest, Purpose, Suppression
from consent.services import consent_record, consent_state, email_hash
from consent.services.privacy import ERASED_NAME
from conversion.models import LeadConversion
from conversion.services import ConvertOptions, lead_convert
from engagement.models import EngagementEvent
from leads.models import Lead
from sales.models import Account, Contact, Opportunity
from tests.factories import ContactFactory, LeadFactory
from tests.seeding import seed_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def _sales_fields(db):
    seed_fields("sales")


@pytest.fixture
def converted(_sales_fields, rep):
    """A lead converted into a contact (with an account and an opportunity), with a consent line,
    an engagement event on each record and a grant recorded on the contact."""
    lead = LeadFactory(
        owner_user=rep, first_name="Grace", last_name="Hopper", email="grace@example.com", company="Navy"
    )
    consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action="granted", source="form")
    conversion = lead_convert(lead=lead, acting_user=rep, options=ConvertOptions(opportunity_name="Compiler"))
    contact = conversion.contact
    contact.refresh_from_db()
    consent_record(contact=contact, purpose=Purpose.PHONE, action="granted", source="api")
    now = contact.created_at
    EngagementEvent.objects.create(
        contact=contact, event_type="email_open", occurred_at=now, recorded_at=now, source="email"
    )
    return lead, contact, conversion


def test_a_rep_records_consent_on_the_contact_page(client, rep):
    contact = ContactFactory(owner=rep, email="ada@example.com")
    client.force_login(rep)
    page = client.get(reverse("sales:contact_detail", args=[contact.pk])).content.decode()
    assert reverse("consent:contact_record", args=[contact.pk]) in page

    response = client.post(
        reverse("consent:contact_record", args=[contact.pk]),
        {"purpose": "marketing_email", "action": "withdrawn", "note": "Phoned us"},
    )

    assert response.status_code == 302
    line = ConsentRecord.objects.get(contact=contact)
    assert (line.action, line.source, line.created_by, line.note, line.lead) == (
        "withdrawn",
        "user",
        rep,
        "Phoned us",
        None,
    )
    assert line.email_hash == email_hash("ada@example.com")
    contact.refresh_from_db()
    assert contact.email_opt_out is True
    assert (
        "Marketing email withdrawn" in client.get(reverse("sales:contact_detail", args=[contact.pk])).content.decode()
    )


def test_someone_elses_contact_is_read_but_not_recorded(client, rep, other_rep):
    contact = ContactFactory(owner=other_rep)
    client.force_login(rep)
    page = client.get(reverse("sales:contact_detail", args=[contact.pk])).content.decode()
    assert reverse("consent:contact_record", args=[contact.pk]) not in page
    response = client.post(
        reverse("consent:contact_record", args=[contact.pk]), {"purpose": "marketing_email", "action": "granted"}
    )
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_the_api_records_and_lists_a_contacts_ledger(api, rep, other_rep):
    contact = ContactFactory(owner=rep)
    client = api.as_user(rep)
    created = client.post(
        "/api/consent/",
        {"contact": contact.pk, "purpose": "phone", "action": "granted", "ip_address": "192.0.2.7"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["contact"], created.json()["lead"], created.json()["ip_address"]) == (
        contact.pk,
        None,
        "192.0.2.7",
    )
    listed = client.get(f"/api/consent/?contact={contact.pk}").json()
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]

    neither = client.post("/api/consent/", {"purpose": "phone", "action": "granted"}, format="json")
    both = client.post(
        "/api/consent/", {"lead": 1, "contact": contact.pk, "purpose": "phone", "action": "granted"}, format="json"
    )
    assert (neither.status_code, both.status_code) == (400, 400)
    assert "lead" in neither.json()
    others = ContactFactory(owner=other_rep)
    refused = client.post(
        "/api/consent/", {"contact": others.pk, "purpose": "phone", "action": "granted"}, format="json"
    )
    assert refused.status_code == 403
    missing = client.post("/api/consent/", {"contact": 999999, "purpose": "phone", "action": "granted"}, format="json")
    assert missing.status_code == 400
    assert "contact" in missing.json()


def test_a_withdrawal_on_the_contact_wins_over_the_leads_older_grant(converted):
    _lead, contact, _conversion = converted
    consent_record(contact=contact, purpose=Purpose.MARKETING_EMAIL, action="withdrawn", source="api")
    assert consent_state(contact=contact, purpose=Purpose.MARKETING_EMAIL) == "withdrawn"


def test_exporting_a_converted_lead_or_its_contact_covers_both(converted, system_admin):
    lead, contact, _conversion = converted
    by_lead = services.lead_export(lead=lead, acting_user=system_admin)
    by_contact = services.contact_export(contact=contact, acting_user=system_admin)

    assert by_lead["lead"]["email"] == "grace@example.com"
    assert [c["contact"]["id"] for c in by_lead["contacts"]] == [contact.pk]
    assert by_contact["contact"]["last_name"] == "Hopper"
    assert {c["purpose"] for c in by_contact["consent"]} == {"marketing_email", "phone"}
    assert len(by_contact["events"]) == 1
    assert [lead_data["lead"]["id"] for lead_data in by_contact["converted_leads"]] == [lead.pk]
    assert list(DataRequest.objects.values_list("kind", "object_name")) == [
        ("export", "contact"),
        ("export", "lead"),
    ]


@pytest.mark.parametrize("start_from", ["lead", "contact"])
def test_erasing_a_converted_person_erases_the_lead_and_the_contact_and_keeps_the_sales_records(
    converted, system_admin, start_from
):
    lead, contact, conversion = converted
    account_id, opportunity_id = conversion.account_id, conversion.opportunity_id

    if start_from == "lead":
        done = services.lead_erase(lead=lead, acting_user=system_admin)
    else:
        done = services.contact_erase(contact=contact, acting_user=system_admin)

    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert not LeadConversion.objects.filter(pk=conversion.pk).exists()
    erased = Contact.objects.get(pk=contact.pk)
    assert (erased.first_name, erased.last_name, erased.email, erased.custom_fields) == ("", ERASED_NAME, "", {})
    assert (erased.email_opt_out, erased.do_not_call) == (True, True)
    assert Account.objects.filter(pk=account_id).exists()
    assert Opportunity.objects.get(pk=opportunity_id).account_id == account_id
    assert not ConsentRecord.objects.exists()
    assert not EngagementEvent.objects.filter(contact=contact).exists()
    assert list(Suppression.objects.values_list("email_hash", flat=True)) == [email_hash("grace@example.com")]
    assert (done.kind, done.object_name, done.acting_user) == ("erase", start_from, system_admin)
    assert (done.summary["lead"] >= 1, done.summary["contact"]) == (True, 1)
    assert "grace" not in json.dumps(done.summary).lower()


def test_an_erasure_that_fails_half_way_changes_nothing(converted, system_admin, monkeypatch):
    lead, contact, _conversion = converted
    from consent.services import privacy

    def broken(lead, now):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(privacy, "_erase_lead_rows", broken)
    with pytest.raises(RuntimeError):
        services.contact_erase(contact=contact, acting_user=system_admin)
    contact.refresh_from_db()
    assert (contact.last_name, contact.email) == ("Hopper", "grace@example.com")
    assert Lead.objects.filter(pk=lead.pk).exists()
    assert ConsentRecord.objects.count() == 2
    assert not Suppression.objects.exists()
    assert not DataRequest.objects.exists()


def test_an_erased_persons_address_is_never_emailed_again(converted, system_admin, marketing_admin):
    from listemail.services import list_email_preview

    _lead, contact, _conversion = converted
    services.contact_erase(contact=contact, acting_user=system_admin)
    again = LeadFactory(email="Grace@Example.com")
    preview = list_email_preview(leads=Lead.objects.filter(pk=again.pk))
    assert preview.count == 0
    assert dict(preview.skipped) == {"suppressed": 1}


def test_the_contact_page_offers_export_and_erasure_to_system_admins_only(client, converted, system_admin, rep):
    _lead, contact, _conversion = converted
    url = reverse("sales:contact_detail", args=[contact.pk])
    client.force_login(rep)
    assert b'data-testid="person-erase"' not in client.get(url).content
    assert client.post(reverse("consent:contact_erase", args=[contact.pk])).status_code == 403
    client.force_login(system_admin)
    assert b'data-testid="person-erase"' in client.get(url).content
    download = client.get(reverse("consent:contact_export", args=[contact.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="contact-{contact.pk}-data.json"'
    confirm = client.get(reverse("consent:contact_erase", args=[contact.pk])).content.decode()
    assert "Accounts and opportunities are kept" in confirm
    assert client.post(reverse("consent:contact_erase", args=[contact.pk])).status_code == 302
    assert Contact.objects.get(pk=contact.pk).last_name == ERASED_NAME
    again = client.post(reverse("consent:contact_erase", args=[contact.pk]), follow=True)
    assert b"erased already" in again.content


def test_the_api_exports_and_erases_a_contact(api, converted, system_admin, marketing_admin):
    _lead, contact, _conversion = converted
    assert api.as_user(marketing_admin).get(f"/api/contacts/{contact.pk}/export/").status_code == 403
    client = api.as_user(system_admin)
    assert client.get(f"/api/contacts/{contact.pk}/export/").json()["contact"]["id"] == contact.pk
    erased = client.post(f"/api/contacts/{contact.pk}/erase/")
    assert erased.status_code == 200, erased.json()
    assert erased.json()["kind"] == "erase"
    assert client.post(f"/api/contacts/{contact.pk}/erase/").status_code == 400
