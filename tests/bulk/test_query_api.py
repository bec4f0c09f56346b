"""The bulk API's query jobs: filters and/or a saved list view, the worker writing the CSV, the
results streamed; the Export permission, sharing and field errors."""

import csv
import io

import pytest

from bulk.models import QueryJob
from bulk.services import query_job_run
from leads.listviews.services import list_view_create
from tests.factories import LeadFactory

from .conftest import grant

pytestmark = pytest.mark.django_db


def _results(client, job_id) -> list[list[str]]:
    response = client.get(f"/api/bulk/query-jobs/{job_id}/results/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200, getattr(response, "content", b"")
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def _create(client, payload, captured):
    with captured(execute=True):
        response = client.post("/api/bulk/query-jobs/", payload, format="json")
    return response


def test_a_query_job_writes_the_filtered_leads_the_user_may_see(
    api, rep, other_rep, django_capture_on_commit_callbacks
):
    grant(rep, "core.export_records")
    LeadFactory(owner_user=rep, last_name="Beta", company="Bco", status="Working")
    LeadFactory(owner_user=rep, last_name="Alpha", company="=HYPERLINK(1)", status="Working")
    LeadFactory(owner_user=rep, last_name="Fresh", status="New")
    LeadFactory(owner_user=other_rep, last_name="Theirs", status="Working")
    client = api.as_user(rep)

    # when the rep queries Working leads of every view, by company
    payload = {"filters": {"view": "all", "status": ["Working"], "ordering": "company"}, "columns": ["name", "company"]}
    response = _create(client, payload, django_capture_on_commit_callbacks)

    # then the job completed with their own two leads (sharing), cells guarded
    assert response.status_code == 201, response.content
    job = client.get(f"/api/bulk/query-jobs/{response.json()['id']}/").json()
    assert (job["state"], job["numberRecordsProcessed"], job["jobType"], job["operation"]) == (
        "JobComplete",
        2,
        "V2Query",
        "query",
    )
    rows = _results(client, job["id"])
    assert rows[0] == ["Name", "Company"]
    assert [r[1] for r in rows[1:]] == ["'=HYPERLINK(1)", "Bco"]


def test_a_query_job_takes_a_saved_list_view_and_the_job_delimiter(api, rep, django_capture_on_commit_callbacks):
    grant(rep, "core.export_records")
    LeadFactory(owner_user=rep, last_name="Hot", status="Working", company="H")
    LeadFactory(owner_user=rep, last_name="Cold", status="New", company="C")
    view = list_view_create(
        name="Working", columns=["name", "status"], filters={"status": ["Working"]}, scope="my", acting_user=rep
    )
    client = api.as_user(rep)
    response = _create(
        client,
        {"listView": view.pk, "columnDelimiter": "PIPE", "lineEnding": "CRLF"},
        django_capture_on_commit_callbacks,
    )
    job_id = response.json()["id"]
    raw = b"".join(client.get(f"/api/bulk/query-jobs/{job_id}/results/").streaming_content).decode()
    assert raw.startswith("Name|Lead Status\r\n")
    assert raw.count("\r\n") == 2
    assert "Hot" in raw
    assert "Cold" not in raw


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"filters": {"status": ["Nope"]}}, "status"),
        ({"columns": ["name", "shoe_size"]}, "columns"),
        ({"filters": {"view": "galaxy"}}, "view"),
        ({"listView": 999999}, "listView"),
        ({"object": "Account"}, "object"),
        ({"columnDelimiter": "SPACE"}, "columnDelimiter"),
        ({"filters": "status=Working"}, "filters"),
    ],
)
def test_bad_query_jobs_are_400s_with_field_errors(api, rep, payload, field):
    grant(rep, "core.export_records")
    response = api.as_user(rep).post("/api/bulk/query-jobs/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not QueryJob.objects.exists()


def test_query_jobs_need_the_export_permission_and_are_private(api, rep, other_rep, django_capture_on_commit_callbacks):
    # without Export: 403
    assert api.as_user(rep).post("/api/bulk/query-jobs/", {}, format="json").status_code == 403
    grant(rep, "core.export_records")
    client = api.as_user(rep)
    job_id = _create(client, {}, django_capture_on_commit_callbacks).json()["id"]
    # another user's list view is not theirs to query; another user does not see the job
    theirs = list_view_create(name="Theirs", columns=["name"], acting_user=other_rep)
    assert client.post("/api/bulk/query-jobs/", {"listView": theirs.pk}, format="json").status_code == 400
    assert api.as_user(other_rep).get(f"/api/bulk/query-jobs/{job_id}/").status_code == 404
    # an Export permission revoked since: the results are refused
    rep.user_permissions.clear()
    rep = type(rep).objects.get(pk=rep.pk)
    assert api.as_user(rep).get(f"/api/bulk/query-jobs/{job_id}/results/").status_code == 403


def test_query_job_states_abort_delete_and_a_rerun_is_a_no_op(api, rep, django_capture_on_commit_callbacks):
    grant(rep, "core.export_records")
    LeadFactory(owner_user=rep)
    client = api.as_user(rep)
    with django_capture_on_commit_callbacks(execute=False):
        job_id = client.post("/api/bulk/query-jobs/", {}, format="json").json()["id"]
    assert client.get(f"/api/bulk/query-jobs/{job_id}/").json()["state"] == "UploadComplete"
    assert client.get(f"/api/bulk/query-jobs/{job_id}/results/").status_code == 400
    assert client.delete(f"/api/bulk/query-jobs/{job_id}/").status_code == 400
    assert (
        client.patch(f"/api/bulk/query-jobs/{job_id}/", {"state": "UploadComplete"}, format="json").status_code == 400
    )
    assert (
        client.patch(f"/api/bulk/query-jobs/{job_id}/", {"state": "Aborted"}, format="json").json()["state"]
        == "Aborted"
    )
    assert query_job_run(job_id=job_id).state == "Aborted"
    assert client.delete(f"/api/bulk/query-jobs/{job_id}/").status_code == 204

    # a completed job run again is left as it was
    job_id = _create(client, {}, django_capture_on_commit_callbacks).json()["id"]
    done = QueryJob.objects.get(pk=job_id)
    assert done.state == "JobComplete"
    again = query_job_run(job_id=job_id)
    assert (again.stored_file, again.finished_at) == (done.stored_file, done.finished_at)
