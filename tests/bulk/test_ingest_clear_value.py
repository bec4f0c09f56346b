"""`#N/A` in a bulk API job's CSV, as on Salesforce: on update and upsert it clears the field (blank
text, no number, a blank custom value), with field history, and the import's undo puts the value
back; it cannot clear a required field nor be the value a row is matched by; on a new lead it is
a blank cell."""

import pytest

from bulk.models import IngestResult
from core.models import FieldDefinition, FieldHistory
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def custom_fields(db):
    """A custom text field (Region__c) and a custom external id (Legacy_Id__c) on leads."""
    for order, (api_name, label) in enumerate([("Region__c", "Region"), ("Legacy_Id__c", "Legacy Id")]):
        FieldDefinition.objects.create(
            object_name="lead",
            api_name=api_name,
            label=label,
            field_type="text",
            is_custom=True,
            sort_order=900 + order,
        )


def _results(job_id: int) -> dict[int, IngestResult]:
    return {r.row_number: r for r in IngestResult.objects.filter(job_id=job_id)}


def test_an_update_clears_the_fields_whose_cell_is_na_and_refuses_to_clear_a_required_one(
    bulk, importer, custom_fields, django_capture_on_commit_callbacks
):
    # given two of my leads with a title, a phone, a head count and a region
    values = {"title": "CTO", "phone": "+1 555 0100", "number_of_employees": 40}
    lead = LeadFactory(owner_user=importer, last_name="Lovelace", custom_fields={"Region__c": "EMEA"}, **values)
    other = LeadFactory(owner_user=importer, last_name="Hopper", company="Navy", title="Admiral")

    # when an update job clears title, head count and region of one (a blank phone cell), and the
    # last name and the company of the other
    lines = [
        "Id,Title,Phone,NumberOfEmployees,Region__c,LastName,Company",
        f"{lead.pk},#N/A,,#N/A,#N/A,Lovelace,Analytical",
        f"{other.pk},Vice Admiral,,,,#N/A,#N/A",
    ]
    info = bulk(importer).run("update", lines, captured=django_capture_on_commit_callbacks)

    # then the first lead's fields are cleared (a blank cell left the phone as it was), with history
    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == ("JobComplete", 2, 1)
    lead.refresh_from_db()
    assert (lead.title, lead.phone, lead.number_of_employees, lead.custom_fields.get("Region__c")) == (
        "",
        "+1 555 0100",
        None,
        None,
    )
    history = FieldHistory.objects.filter(object_name="lead", record_id=lead.pk)
    assert {h.field_name: h.old_value for h in history if h.field_name in {"title", "Region__c"}} == {
        "title": "CTO",
        "Region__c": "EMEA",
    }
    assert history.filter(field_name="number_of_employees").exists()
    # and the second row fails whole, saying that #N/A cannot clear its required fields
    other.refresh_from_db()
    assert (other.last_name, other.company, other.title) == ("Hopper", "Navy", "Admiral")
    failed = bulk(importer).csv(info["id"], "failedResults").splitlines()
    assert failed[1] == (
        f"{other.pk},last_name: #N/A cannot clear a required field.; company: #N/A cannot clear a required field.,"
        f"{other.pk},Vice Admiral,,,,#N/A,#N/A"
    )


def test_an_upsert_clears_a_matched_leads_custom_field_treats_na_as_blank_on_a_new_lead_and_never_matches_by_it(
    bulk, importer, custom_fields, django_capture_on_commit_callbacks
):
    # given a lead with a legacy id, a title and a region
    lead = LeadFactory(owner_user=importer, title="CTO", custom_fields={"Legacy_Id__c": "L-1", "Region__c": "EMEA"})

    # when an upsert by the legacy id clears its region, loads a new lead with #N/A cells, and a row
    # whose legacy id is #N/A
    lines = [
        "Legacy_Id__c,LastName,Company,Title,Region__c",
        "L-1,Lovelace,Analytical,,#N/A",
        "L-2,Hopper,Navy,#N/A,#N/A",
        "#N/A,Turing,Bletchley,,",
    ]
    info = bulk(importer).run(
        "upsert", lines, captured=django_capture_on_commit_callbacks, externalIdFieldName="Legacy_Id__c"
    )

    # then the matched lead's region is cleared and its title kept
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (3, 1)
    lead.refresh_from_db()
    assert (lead.title, lead.custom_fields.get("Region__c"), lead.custom_fields["Legacy_Id__c"]) == ("CTO", None, "L-1")
    # the new lead has no title and no region: #N/A was a blank cell there
    new = Lead.objects.get(last_name="Hopper")
    assert (new.title, new.custom_fields.get("Region__c"), new.custom_fields["Legacy_Id__c"]) == ("", None, "L-2")
    results = _results(info["id"])
    assert (results[2].created, results[2].record_id, results[3].created, results[3].record_id) == (
        False,
        lead.pk,
        True,
        new.pk,
    )
    # and the row whose match key is #N/A is refused: it neither matched nor made a lead
    assert not results[4].success
    assert results[4].error == "The external id field that matches the row cannot be cleared."
    assert not Lead.objects.filter(last_name="Turing").exists()


def test_an_na_record_id_is_refused_as_the_key_of_an_update(bulk, importer, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner_user=importer, title="CTO")
    lines = ["Id,Title", "#N/A,#N/A", f"{lead.pk},#N/A"]
    info = bulk(importer).run("update", lines, captured=django_capture_on_commit_callbacks)
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 1)
    assert _results(info["id"])[2].error == "The lead id that matches the row cannot be cleared."
    lead.refresh_from_db()
    assert lead.title == ""


def test_undoing_the_jobs_import_puts_the_cleared_values_back(
    bulk, importer, custom_fields, django_capture_on_commit_callbacks
):
    # given an update job that cleared a title, a head count and a region
    lead = LeadFactory(owner_user=importer, title="CTO", number_of_employees=40, custom_fields={"Region__c": "EMEA"})
    client = bulk(importer)
    lines = ["Id,Title,NumberOfEmployees,Region__c", f"{lead.pk},#N/A,#N/A,#N/A"]
    info = client.run("update", lines, captured=django_capture_on_commit_callbacks)
    lead.refresh_from_db()
    assert (lead.title, lead.number_of_employees, lead.custom_fields.get("Region__c")) == ("", None, None)

    # when the import the job ran is undone through the imports API
    response = client.client.post(f"/api/lead-imports/{info['leadImportId']}/undo/")

    # then the lead has its values back
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "undone"
    lead.refresh_from_db()
    assert (lead.title, lead.number_of_employees, lead.custom_fields.get("Region__c")) == ("CTO", 40, "EMEA")


def test_an_upsert_by_email_refuses_a_row_whose_email_is_na_in_any_case(
    bulk, importer, django_capture_on_commit_callbacks
):
    # given a lead of mine
    lead = LeadFactory(owner_user=importer, email="ada@example.com", title="CTO")

    # when an upsert by email has rows whose email cell is #N/A (keys by email compare in lower case)
    lines = ["Email,LastName,Company,Title", "#N/A,Turing,Bletchley,", "#n/a,Hopper,Navy,", "ada@example.com,,,#N/A"]
    info = bulk(importer).run("upsert", lines, captured=django_capture_on_commit_callbacks, externalIdFieldName="Email")

    # then neither makes a lead with a blank email, and the matched lead's title is cleared
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (3, 2)
    results = _results(info["id"])
    assert results[2].error == results[3].error == "The email that matches the row cannot be cleared."
    assert not Lead.objects.filter(last_name__in=["Turing", "Hopper"]).exists()
    lead.refresh_from_db()
    assert lead.title == ""
