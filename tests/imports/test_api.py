"""The lead import API: upload, dry run, start, status, cancel, errors.csv, undo and templates."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.imports.models import LeadImport
from leads.imports.processing import lead_import_dry_run
from leads.imports.services import lead_import_process
from leads.models import Lead

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db


def _upload(client, lines, name="leads.csv"):
    return client.post(
        "/api/lead-imports/", {"file": SimpleUploadedFile(name, csv_bytes(lines), "text/csv")}, format="multipart"
    )


def test_upload_dry_run_start_errors_and_undo_through_the_api(api, rep):
    client = api.as_user(rep)

    # upload: the header read and a mapping proposed
    response = _upload(client, ["LastName,Company,Email", "Doe,Acme,=cmd()", "Roe,Initech,roe@example.com"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total_rows"], body["mapping"], body["status"]) == (2, ["last_name", "company", "email"], "mapping")
    url = f"/api/lead-imports/{body['id']}/"

    # dry run: queued, then counted by the worker
    dry = client.post(url + "dry-run/", {"run_assignment": False}, format="json")
    assert dry.status_code == 202
    lead_import_dry_run(lead_import_id=body["id"])
    counts = client.get(url).json()["dry_run"]
    assert (counts["created"], counts["rejected"]) == (1, 1)
    assert Lead.objects.count() == 0

    # start, process, status
    assert client.post(url + "start/", {"run_assignment": False}, format="json").status_code == 202
    lead_import_process(lead_import_id=body["id"])
    status = client.get(url).json()
    assert (status["status"], status["created_count"], status["error_count"], status["percent_done"]) == (
        "done",
        1,
        1,
        100,
    )

    # the error file: the row, its cells (formula escaped) and the reason
    errors = client.get(url + "errors.csv/")
    text = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == "Row,LastName,Company,Email,Reason"
    assert text.splitlines()[1].startswith("2,Doe,Acme,'=cmd(),Email:")

    # undo
    assert client.post(url + "undo/").json()["status"] == "undone"
    assert Lead.objects.count() == 0


def test_bad_input_answers_400_with_the_reason(api, rep, other_rep):
    client = api.as_user(rep)

    assert _upload(client, ["Last Name,Company"]).status_code == 400
    assert "no data rows" in str(_upload(client, ["Last Name,Company"]).json())
    created = _upload(client, ["Last Name,Company", "Doe,Acme"]).json()
    url = f"/api/lead-imports/{created['id']}/"
    bad = client.post(url + "start/", {"mode": "update", "match_by": "email"}, format="json")
    assert bad.status_code == 400
    assert "match_by" in bad.json()
    wrong = client.post(url + "start/", {"mapping": ["nope", "company"]}, format="json")
    assert wrong.status_code == 400
    assert api.as_user(other_rep).get(url).status_code == 404
    assert LeadImport.objects.get().status == "mapping"


def test_the_options_are_checked_by_the_service_with_the_pages_messages(api, client, rep):
    # given an upload, and the same bad options sent through the API and the mapping page
    api_client = api.as_user(rep)
    created = _upload(api_client, ["Last Name,Company", "Doe,Acme"]).json()
    url = f"/api/lead-imports/{created['id']}/"
    options = {"mode": "sideways", "on_match": "merge", "campaign": "x" * 256, "default_status": "Nope"}

    answer = api_client.post(url + "start/", options, format="json")

    # then the API answers 400 with a field error for each, from the service
    assert answer.status_code == 400
    errors = answer.json()
    assert errors["mode"] == errors["on_match"] == ["Choose one of the options."]
    assert errors["campaign"] == ["Use at most 255 characters."]
    assert "default_status" in errors
    # and the page shows the service's message for the same campaign, the form holding no rule of its own
    client.force_login(rep)
    page = client.post(
        reverse("leads:import_detail", args=[created["id"]]),
        {"col_0": "last_name", "col_1": "company", "mode": "insert", "on_match": "skip", "campaign": "x" * 256},
    )
    assert page.status_code == 200
    assert "Use at most 255 characters." in page.content.decode()
    assert LeadImport.objects.get().status == "mapping"


def test_mapping_templates_map_the_next_upload(api, rep):
    client = api.as_user(rep)
    saved = client.post(
        "/api/lead-import-templates/",
        {"name": "Trade show", "headers": ["Surname", "Firm"], "mapping": ["last_name", "company"]},
        format="json",
    )
    assert saved.status_code == 201, saved.content

    uploaded = _upload(client, ["Surname,Firm", "Doe,Acme"]).json()

    assert uploaded["mapping"] == ["last_name", "company"]
    assert [t["name"] for t in client.get("/api/lead-import-templates/").json()["results"]] == ["Trade show"]
