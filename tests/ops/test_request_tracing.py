"""One id follows one submission: the X-Request-ID of a Web-to-Lead POST is on its intake row, on
the lead's processing log line, on the auto-response in the outbox and on the delivery task's log
line, even though one worker task drained both submissions in one batch. The same for the rows of
the tracking endpoint."""

import json
import threading

import pytest

from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_template_create
from engagement.models import TrackingIntake
from tests.engagement.conftest import VISITOR
from tests.waiting import wait_until
from webtolead.models import Intake


@pytest.fixture
def json_logs(monkeypatch):
    """A worker started after this fixture logs one JSON object per line, at INFO."""
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("LOG_LEVEL", "INFO")


def _read_log(proc) -> list[dict]:
    """Reads the worker's output in a thread (a full pipe would stop the worker); answers the list
    the JSON lines are appended to."""
    entries: list[dict] = []

    def read():
        for line in proc.stdout:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)

    threading.Thread(target=read, daemon=True).start()
    return entries


def _messages(entries: list[dict], request_id: str) -> list[str]:
    return [entry["message"] for entry in list(entries) if entry.get("request_id") == request_id]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_submission_keeps_its_own_request_id_from_the_post_to_the_sent_email(
    client, web_form, fields_for, marketing_admin, smtp_inbox, json_logs, celery_worker_process
):
    log = _read_log(celery_worker_process)
    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks {{Lead.FirstName}}", "body_text": "Hello"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(
        default_template=template, default_from_address="sales@acme.example", acting_user=marketing_admin
    )

    for name, request_id in (("Grace", "trace-grace-1"), ("Alan", "trace-alan-2")):
        response = client.post(
            "/web-to-lead/",
            fields_for(web_form, first_name=name, email=f"{name.lower()}@example.net"),
            headers={"X-Request-ID": request_id},
        )
        assert response.status_code == 303
        assert response["X-Request-ID"] == request_id

    assert wait_until(lambda: Intake.objects.filter(outcome=Intake.Outcome.CREATED).count() == 2), "no leads"
    assert wait_until(lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 2)
    for name, request_id in (("Grace", "trace-grace-1"), ("Alan", "trace-alan-2")):
        intake = Intake.objects.select_related("lead").get(request_id=request_id)
        assert intake.lead.first_name == name
        email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.AUTO_RESPONSE, record_id=intake.lead_id)
        assert email.request_id == request_id
        assert email.to_address == f"{name.lower()}@example.net"
        assert wait_until(lambda rid=request_id, pk=email.pk: f"Outbound email {pk} sent" in _messages(log, rid))
        messages = _messages(log, request_id)
        assert f"Web-to-Lead submission {intake.pk}: created" in messages
        # Nothing of the other submission is logged under this one's id.
        other = next(i for i in Intake.objects.all() if i.pk != intake.pk)
        assert f"Web-to-Lead submission {other.pk}: created" not in messages


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_tracking_row_is_processed_under_the_request_id_that_stored_it(client, json_logs, celery_worker_process):
    log = _read_log(celery_worker_process)
    for path, request_id in (("/", "track-home-1"), ("/pricing", "track-pricing-2")):
        body = json.dumps({"type": "page_view", "vid": VISITOR, "url": f"https://www.example.com{path}"})
        response = client.post("/t/events/", data=body, content_type="text/plain", headers={"X-Request-ID": request_id})
        assert response.status_code == 204

    assert wait_until(lambda: not TrackingIntake.objects.filter(outcome=TrackingIntake.Outcome.RECEIVED).exists())
    for path, request_id in (("/", "track-home-1"), ("/pricing", "track-pricing-2")):
        row = TrackingIntake.objects.select_related("event").get(request_id=request_id)
        assert row.event.url == f"https://www.example.com{path}"
        assert wait_until(lambda r=row, rid=request_id: f"Tracking row {r.pk}: recorded" in _messages(log, rid))
