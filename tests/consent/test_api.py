"""The consent API (ledger list, a grant or withdrawal recorded) and a person's data export and
erasure through the API (system admins only, recorded in the audit trail)."""

import pytest

from consent.models import ConsentRecord, DataRequest, Suppression
from consent.services import consent_record, email_hash
from core.models import FieldHistory
from engagement.models import EngagementEvent
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/consent/"


def test_a_rep_records_a_withdrawal_and_reads_the_ledger(api, rep):
    lead = LeadFactory(owner_user=rep)
    client = api.as_user(rep)
    response = client.post(
        URL,
        {"lead": lead.pk, "purpose": "marketing_email", "action": "withdrawn", "note": "Asked by phone"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "api"
    lead.refresh_from_db()
    assert lead.email_opt_out is True
    listed = client.get(URL, {"lead": lead.pk}).json()["results"]
    assert [row["action"] for row in listed] == ["withdrawn"]


def test_someone_elses_lead_is_a_400_and_bad_values_are_field_errors(api, rep, other_rep):
    theirs = LeadFactory(owner_user=other_rep)
    client = api.as_user(rep)
    assert (
        "lead" in client.post(URL, {"lead": theirs.pk, "purpose": "phone", "action": "granted"}, format="json").json()
    )
    mine = LeadFactory(owner_user=rep)
    response = client.post(URL, {"lead": mine.pk, "purpose": "fax", "action": "pending"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"purpose", "action"}
    assert not ConsentRecord.objects.exists()


def test_the_list_shows_only_visible_leads(api, rep, other_rep):
    mine, theirs = LeadFactory(owner_user=rep), LeadFactory(owner_user=other_rep)
    for lead in (mine, theirs):
        consent_record(lead=lead, purpose="phone", action="granted", source="api")
    rows = api.as_user(rep).get(URL).json()["results"]
    assert [row["lead"] for row in rows] == [mine.pk]


def test_export_holds_the_persons_data_and_is_audited(api, system_admin):
    lead = LeadFactory(first_name="Ada")
    consent_record(lead=lead, purpose="marketing_email", action="withdrawn", source="api")
    response = api.as_user(system_admin).get(f"/api/leads/{lead.pk}/export/")
    assert response.status_code == 200
    body = response.json()
    assert body["lead"]["first_name"] == "Ada"
    assert [c["action"] for c in body["consent"]] == ["withdrawn"]
    assert [e["event_type"] for e in body["events"]] == ["unsubscribe"]
    assert any(h["field_name"] == "email_opt_out" for h in body["history"])
    assert {"campaign_memberships", "activities", "notes", "emails"} <= set(body)
    assert DataRequest.objects.get().kind == "export"


def test_erase_keeps_only_a_suppression_hash(api, system_admin):
    lead = LeadFactory(email="erase.me@example.com")
    consent_record(lead=lead, purpose="marketing_email", action="granted", source="api")
    EngagementEvent.objects.create(
        lead=lead,
        event_type="page_view",
        occurred_at=lead.created_at,
        recorded_at=lead.created_at,
        source="tracker",
    )
    from leads.imports.models import LeadImport, LeadImportRow

    upload = LeadImport.objects.create(file_name="a.csv", created_by=system_admin, created_at=lead.created_at)
    LeadImportRow.objects.create(
        lead_import=upload,
        row_number=2,
        raw_values=["Erase", "erase.me@example.com"],
        lead=lead,
        outcome="created",
        processed_at=lead.created_at,
    )
    response = api.as_user(system_admin).post(f"/api/leads/{lead.pk}/erase/")
    assert response.status_code == 200, response.json()
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert not EngagementEvent.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not FieldHistory.objects.filter(object_name="lead", record_id=lead.pk).exists()
    assert LeadImportRow.objects.get().raw_values == []
    assert Suppression.objects.filter(email_hash=email_hash("Erase.Me@example.com")).exists()
    audit = DataRequest.objects.get(kind="erase")
    assert audit.record_id == lead.pk
    assert "erase.me" not in str(audit.summary)


def test_export_and_erase_are_for_system_admins(api, marketing_admin):
    lead = LeadFactory()
    client = api.as_user(marketing_admin)
    assert client.get(f"/api/leads/{lead.pk}/export/").status_code == 403
    assert client.post(f"/api/leads/{lead.pk}/erase/").status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()
