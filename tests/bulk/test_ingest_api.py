"""The bulk API's ingest jobs through the REST API on PostgreSQL: every state move, uploads in
parts, bad CSV, wrong columns, field errors, permissions, sharing, results as CSV."""

import pytest
from django.urls import reverse

from bulk.models import IngestJob, IngestResult
from core.models import RecycleBinEntry
from leads.imports.models import LeadImport
from leads.models import Lead
from tests.factories import LeadFactory

from .conftest import csv_body, grant

pytestmark = pytest.mark.django_db

GOOD = [
    "FirstName,LastName,Company,Email",
    "Ada,Lovelace,Analytical,ada@example.com",
    "Grace,Hopper,Navy,grace@example.com",
]


def test_an_insert_job_goes_from_open_to_job_complete_with_results(bulk, importer, django_capture_on_commit_callbacks):
    client = bulk(importer)

    # given an Open job
    created = client.create(operation="insert")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["jobType"], body["contentUrl"]) == (
        "Open",
        "V2Ingest",
        f"api/bulk/jobs/{body['id']}/batches/",
    )

    # when its CSV is uploaded in two parts (each with the header) and the job is closed
    assert client.upload(body["id"], csv_body(GOOD[:2])).status_code == 201
    second = client.upload(body["id"], csv_body([GOOD[0], GOOD[2], "Bad,Row,,bad@example.com"]))
    assert second.status_code == 201
    assert (second.json()["totalRecords"], second.json()["uploads"]) == (3, 2)
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.state(body["id"], "UploadComplete")
    assert closed.status_code == 200

    # then the worker ran it through the import pipeline: JobComplete, counts and results
    info = client.info(body["id"]).json()
    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == ("JobComplete", 3, 1)
    assert info["startedDate"]
    assert info["finishedDate"]
    assert info["leadImportId"]
    ada = Lead.objects.get(email="ada@example.com")
    assert ada.owner_user == importer
    success = client.csv(body["id"], "successfulResults").splitlines()
    assert success[0] == '"sf__Id","sf__Created","FirstName","LastName","Company","Email"'.replace('"', "")
    assert success[1] == f"{ada.pk},true,Ada,Lovelace,Analytical,ada@example.com"
    assert len(success) == 3
    failed = client.csv(body["id"], "failedResults").splitlines()
    assert failed[0] == "sf__Id,sf__Error,FirstName,LastName,Company,Email"
    assert len(failed) == 2
    assert failed[1].startswith(",company: ")
    assert failed[1].endswith(",Bad,Row,,bad@example.com")
    assert client.csv(body["id"], "unprocessedrecords").splitlines() == ["FirstName,LastName,Company,Email"]
    # and the import it ran can be undone like any import
    assert LeadImport.objects.get(pk=info["leadImportId"]).created_count == 2


def test_states_that_do_not_follow_are_refused_with_field_errors(bulk, importer, django_capture_on_commit_callbacks):
    client = bulk(importer)
    job_id = client.create(operation="insert").json()["id"]

    # closing a job with no data, or uploading after it is closed
    assert client.state(job_id, "UploadComplete").json() == {"state": ["Upload CSV data before closing the job."]}
    assert client.state(job_id, "InProgress").status_code == 400
    client.upload(job_id, csv_body(GOOD))
    with django_capture_on_commit_callbacks(execute=False):
        assert client.state(job_id, "UploadComplete").json()["state"] == "UploadComplete"
    late = client.upload(job_id, csv_body(GOOD))
    assert late.status_code == 400
    assert "state" in late.json()
    assert client.state(job_id, "UploadComplete").status_code == 400

    # an UploadComplete job cannot be deleted; once aborted it can, and aborted stays aborted
    assert client.client.delete(f"/api/bulk/jobs/{job_id}/").status_code == 400
    aborted = client.state(job_id, "Aborted").json()
    assert (aborted["state"], aborted["errorMessage"]) == ("Aborted", "Aborted by Riley Rep.")
    assert client.state(job_id, "Aborted").status_code == 400
    assert client.client.delete(f"/api/bulk/jobs/{job_id}/").status_code == 204
    assert not IngestJob.objects.filter(pk=job_id).exists()


def test_an_open_job_can_be_aborted_and_its_records_stay_unprocessed(bulk, importer):
    client = bulk(importer)
    job_id = client.create(operation="insert").json()["id"]
    client.upload(job_id, csv_body(GOOD))
    assert client.state(job_id, "Aborted").json()["state"] == "Aborted"
    assert client.csv(job_id, "unprocessedrecords").splitlines() == GOOD
    assert Lead.objects.count() == 0


def test_aborting_a_job_in_progress_cancels_its_import(bulk, importer, django_capture_on_commit_callbacks):
    client = bulk(importer)
    job_id = client.create(operation="insert").json()["id"]
    client.upload(job_id, csv_body(GOOD))
    # the bulk task hands the job to the import; the import's own task is not run yet
    from bulk.services import ingest_job_run

    with django_capture_on_commit_callbacks(execute=False):
        client.state(job_id, "UploadComplete")
        ingest_job_run(job_id=job_id)
    job = IngestJob.objects.get(pk=job_id)
    assert job.state == "InProgress"
    assert job.lead_import.status == "pending"
    assert client.state(job_id, "Aborted").json()["state"] == "Aborted"
    assert LeadImport.objects.get(pk=job.lead_import_id).status == "cancelled"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"operation": "insert", "object": "Account"}, "object"),
        ({"operation": "merge"}, "operation"),
        ({"operation": "upsert"}, "externalIdFieldName"),
        ({"operation": "upsert", "externalIdFieldName": "Nope__c"}, "externalIdFieldName"),
        ({"operation": "insert", "externalIdFieldName": "Email"}, "externalIdFieldName"),
        ({"operation": "insert", "columnDelimiter": "SPACE"}, "columnDelimiter"),
        ({"operation": "insert", "lineEnding": "CR"}, "lineEnding"),
        ({"operation": "insert", "contentType": "JSON"}, "contentType"),
    ],
)
def test_a_job_with_bad_options_is_a_400_naming_the_field(bulk, importer, payload, field):
    response = bulk(importer).create(**payload)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("operation", "options", "lines", "message"),
    [
        ("insert", {}, ["LastName,Colour", "Doe,red"], "Not a lead field: Colour."),
        ("insert", {}, ["Id,LastName,Company", "1,Doe,Acme"], "leave out the Id column"),
        ("insert", {}, ["LastName,last_name,Company", "Doe,Roe,Acme"], "name the same field"),
        ("update", {}, ["LastName,Company", "Doe,Acme"], "needs a Id column"),
        ("upsert", {"externalIdFieldName": "Email"}, ["LastName,Company", "Doe,Acme"], "needs a Email column"),
        ("delete", {}, ["LastName", "Doe"], "needs a Id column"),
        ("update", {}, ["Id", "1"], "at least one lead field besides Id"),
    ],
)
def test_wrong_columns_are_a_400_and_leave_the_job_empty(bulk, importer, operation, options, lines, message):
    client = bulk(importer)
    job_id = client.create(operation=operation, **options).json()["id"]
    response = client.upload(job_id, csv_body(lines))
    assert response.status_code == 400
    assert message in " ".join(response.json()["columns"])
    job = IngestJob.objects.get(pk=job_id)
    assert (job.uploads, job.total_rows, job.headers) == (0, 0, [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"LastName,Company\n", "no records"),
        (b'LastName,Company\n"Doe,Acme\n', "could not be read as CSV"),
        ("LastName,Company\nD\xf6e,Acme\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_csv_is_a_400_with_the_reason(bulk, importer, body, message):
    client = bulk(importer)
    job_id = client.create(operation="insert").json()["id"]
    response = client.upload(job_id, body)
    assert response.status_code == 400
    assert message in " ".join(response.json()["file"])


def test_a_later_upload_with_another_header_is_refused_and_not_appended(bulk, importer):
    client = bulk(importer)
    job_id = client.create(operation="insert").json()["id"]
    client.upload(job_id, csv_body(GOOD))
    response = client.upload(job_id, csv_body(["Company,LastName", "Acme,Doe"]))
    assert response.status_code == 400
    assert "same header row" in response.json()["file"][0]
    assert client.csv(job_id, "unprocessedrecords").splitlines() == GOOD


def test_an_upload_needs_text_csv_and_fits_the_size_limit(bulk, importer, settings):
    client = bulk(importer)
    job_id = client.create(operation="insert").json()["id"]
    assert client.upload(job_id, csv_body(GOOD), content_type="application/json").status_code == 415
    settings.BULK_API_MAX_UPLOAD_BYTES = 40
    response = client.upload(job_id, csv_body(GOOD))
    assert response.status_code == 400
    assert "larger than" in response.json()["file"][0]


def test_semicolon_delimiter_and_crlf_line_ends_shape_the_results(bulk, importer, django_capture_on_commit_callbacks):
    client = bulk(importer)
    lines = ["LastName;Company;Description", 'Doe;"Acme; Inc";=HYPERLINK("x")']
    info = client.run(
        "insert", lines, captured=django_capture_on_commit_callbacks, columnDelimiter="SEMICOLON", lineEnding="CRLF"
    )
    assert info["state"] == "JobComplete"
    lead = Lead.objects.get()
    assert lead.company == "Acme; Inc"
    text = client.csv(info["id"], "successfulResults")
    # the job's delimiter and line ends; a formula cell is kept as text
    assert (
        text
        == f'sf__Id;sf__Created;LastName;Company;Description\r\n{lead.pk};true;Doe;Acme; Inc;\'=HYPERLINK("x")\r\n'.replace(
            "Acme; Inc", '"Acme; Inc"'
        ).replace('\'=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"')
    )


def test_update_by_id_and_by_external_id_writes_history_and_respects_sharing(
    bulk, importer, other_rep, django_capture_on_commit_callbacks
):
    from core.models import FieldDefinition, FieldHistory

    FieldDefinition.objects.create(
        object_name="lead",
        api_name="Legacy_Id__c",
        label="Legacy Id",
        field_type="text",
        is_custom=True,
        sort_order=900,
    )
    mine = LeadFactory(owner_user=importer, company="Old", custom_fields={"Legacy_Id__c": "L-1"})
    theirs = LeadFactory(owner_user=other_rep, company="Theirs")
    client = bulk(importer)

    # by our id: my lead is updated, another rep's lead (private sharing) is refused
    info = client.run(
        "update",
        ["Id,Company", f"{mine.pk},New", f"{theirs.pk},Hijacked", "999999,Nobody"],
        captured=django_capture_on_commit_callbacks,
    )
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (3, 2)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.company, theirs.company) == ("New", "Theirs")
    assert FieldHistory.objects.filter(
        object_name="lead", record_id=mine.pk, field_name="company", new_value="New"
    ).exists()
    failed = client.csv(info["id"], "failedResults")
    assert "You may not edit the lead this row matches." in failed
    assert "No lead matches" in failed
    success = client.csv(info["id"], "successfulResults").splitlines()
    assert success[1] == f"{mine.pk},false,{mine.pk},New"

    # by an external id field
    info = client.run(
        "update",
        ["Legacy_Id__c,Title", "L-1,CTO"],
        captured=django_capture_on_commit_callbacks,
        externalIdFieldName="legacy_id__c",
    )
    assert info["externalIdFieldName"] == "Legacy_Id__c"
    mine.refresh_from_db()
    assert (info["numberRecordsFailed"], mine.title) == (0, "CTO")


def test_upsert_by_email_updates_the_match_and_inserts_the_rest(bulk, importer, django_capture_on_commit_callbacks):
    existing = LeadFactory(owner_user=importer, email="ada@example.com", company="Old")
    lines = [
        "Email,LastName,Company",
        "ADA@example.com,Lovelace,New",
        "new@example.com,Newman,Fresh",
        "new@example.com,Twice,Again",
    ]
    info = bulk(importer).run("upsert", lines, captured=django_capture_on_commit_callbacks, externalIdFieldName="Email")
    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == ("JobComplete", 3, 1)
    existing.refresh_from_db()
    assert existing.company == "New"
    assert Lead.objects.filter(email="new@example.com").count() == 1
    results = {r.row_number: r for r in IngestResult.objects.filter(job_id=info["id"])}
    assert (results[2].created, results[3].created, results[2].record_id) == (False, True, existing.pk)
    assert "An earlier row of the file has the same email" in results[4].error


def test_delete_moves_leads_to_the_recycle_bin_and_refuses_others_leads(
    bulk, importer, other_rep, django_capture_on_commit_callbacks
):
    mine = LeadFactory(owner_user=importer)
    theirs = LeadFactory(owner_user=other_rep)
    lines = ["Id", str(mine.pk), str(theirs.pk), "abc", ""]
    info = bulk(importer).run("delete", lines, captured=django_capture_on_commit_callbacks)
    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == ("JobComplete", 3, 2)
    assert not Lead.objects.filter(pk=mine.pk).exists()
    assert Lead.objects.filter(pk=theirs.pk).exists()
    assert RecycleBinEntry.objects.filter(object_name="lead", record_id=mine.pk).exists()
    failed = bulk(importer).csv(info["id"], "failedResults")
    assert "No lead you may delete has this id." in failed
    assert "is not a lead id" in failed


def test_ingest_needs_the_import_permission_and_jobs_are_private(bulk, rep, other_rep, marketing_admin, importer):
    # without the Import permission: 403
    assert bulk(other_rep).create(operation="insert").status_code == 403
    # another user neither sees nor changes my job; an admin sees it
    job_id = bulk(importer).create(operation="insert").json()["id"]
    grant(other_rep, "bulk.import_records")
    other = bulk(other_rep)
    assert other.info(job_id).status_code == 404
    assert other.upload(job_id, csv_body(GOOD)).status_code == 404
    assert other.client.get("/api/bulk/jobs/").json()["results"] == []
    admin = bulk(marketing_admin)
    assert [j["id"] for j in admin.client.get("/api/bulk/jobs/").json()["results"]] == [job_id]
    assert admin.state(job_id, "Aborted").status_code == 200


def test_the_import_permission_set_and_the_admin_role_grant_import(marketing_admin, system_admin, rep):
    from bulk.services import may_import
    from users.models import PermissionSet
    from users.services import permission_set_assign, standard_permission_sets_ensure

    assert may_import(marketing_admin)
    assert not may_import(rep)

    # the standard "Import" permission set, assigned to the rep
    standard_permission_sets_ensure()
    import_set = PermissionSet.objects.get(key="import")
    permission_set_assign(permission_set=import_set, users=[rep], acting_user=system_admin)
    rep = type(rep).objects.get(pk=rep.pk)
    assert may_import(rep)


def test_the_api_schema_tells_what_sf_created_and_blank_cells_mean(client, rep):
    client.force_login(rep)
    paths = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    success = paths["/api/bulk/jobs/{id}/successfulResults/"]["get"]["description"]
    assert "duplicate rule attached it to an existing lead" in success
    upload = paths["/api/bulk/jobs/{id}/batches/"]["put"]["description"]
    assert "Blank cells leave a field as it is on update" in upload
    assert "A `#N/A` cell clears its field on update and upsert" in upload
    assert "loaded as text" not in upload
