"""The request id: kept from X-Request-ID when safe, else made; answered, logged, and passed on to
the tasks the request publishes. Log lines as text or as one JSON object each."""

import json
import logging

import pytest

from core import celery_signals
from core.logs import JsonFormatter, RequestContext, TextFormatter
from core.request_id import bind_request_id, current_request_id, reset_request_id, valid_request_id

pytestmark = pytest.mark.django_db


def test_a_request_without_an_id_gets_a_new_one_in_its_answer(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_a_safe_request_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.9_c")

    assert response["X-Request-ID"] == "lb-7f3a.9_c"


@pytest.mark.parametrize("given", ["a b", "x" * 65, "id\nInjected: 1", "<script>", "ü", ""])
def test_an_unsafe_or_long_request_id_is_replaced(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert valid_request_id(response["X-Request-ID"])


def test_the_access_log_line_carries_the_request_id_user_status_and_duration(client, rep, caplog):
    client.force_login(rep)

    with caplog.at_level(logging.INFO, logger="leadcrm.access"):
        response = client.get("/favicon.ico", HTTP_X_REQUEST_ID="follow-me-1")

    [record] = [r for r in caplog.records if r.name == "leadcrm.access"]
    RequestContext().filter(record)
    assert response.status_code == 301
    assert record.status == 301
    assert record.duration_ms >= 0
    assert record.request_id == "follow-me-1"
    assert record.path == "/favicon.ico"


def test_a_task_published_during_a_request_carries_its_id():
    headers: dict = {}
    token = bind_request_id("follow-me-2")
    try:
        celery_signals.add_context_headers(headers=headers)
    finally:
        reset_request_id(token)

    assert headers["request_id"] == "follow-me-2"
    assert isinstance(headers["published_at"], float)
    assert current_request_id() is None


def test_a_task_run_binds_the_id_it_was_published_with_and_lets_go_afterwards():
    class FakeTask:
        name = "emails.tasks.deliver_outbound_email"

        class request:  # shaped as Celery's task request
            @staticmethod
            def get(key):
                return {"request_id": "follow-me-3", "published_at": None}.get(key)

    celery_signals.task_started(task_id="t-1", task=FakeTask)
    during = current_request_id()
    celery_signals.task_finished(task_id="t-1", task=FakeTask, state="SUCCESS")

    assert during == "follow-me-3"
    assert current_request_id() is None


def _record(**extra) -> logging.LogRecord:
    record = logging.LogRecord("leads.services", logging.WARNING, __file__, 1, "lead %s saved", (7,), None)
    for key, value in extra.items():
        setattr(record, key, value)
    RequestContext().filter(record)
    return record


def test_json_log_lines_hold_the_event_and_its_context():
    token = bind_request_id("follow-me-4")
    try:
        line = JsonFormatter().format(_record(status=201, duration_ms=12.5))
    finally:
        reset_request_id(token)

    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "leads.services"
    assert entry["message"] == "lead 7 saved"
    assert entry["request_id"] == "follow-me-4"
    assert entry["status"] == 201
    assert entry["duration_ms"] == 12.5
    assert set(entry) >= {"time", "user_id", "path", "task_id", "task_name"}
    assert entry["time"].endswith("+00:00")


def test_json_log_lines_keep_a_traceback_in_one_line():
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    RequestContext().filter(record)
    line = JsonFormatter().format(record)

    assert "\n" not in line
    assert "ValueError: broken" in json.loads(line)["exc_info"]


def test_text_log_lines_are_readable_and_name_the_request():
    token = bind_request_id("follow-me-5")
    try:
        line = TextFormatter().format(_record())
    finally:
        reset_request_id(token)

    assert line.endswith("WARNING leads.services [req=follow-me-5] lead 7 saved")


def test_the_log_format_follows_the_setting():
    from core.logs import logging_config

    json_config = logging_config(log_format="json", level="INFO", access_log=True)
    text_config = logging_config(log_format="text", level="INFO", access_log=False)

    assert json_config["handlers"]["console"]["formatter"] == "json"
    assert text_config["handlers"]["console"]["formatter"] == "text"
    assert "refusals_without_traceback" in json_config["handlers"]["console"]["filters"]
    assert text_config["loggers"]["leadcrm.access"]["level"] == "WARNING"


def test_a_task_run_inline_keeps_the_id_of_the_request_that_runs_it():
    class InlineTask:
        name = "webtolead.process_submissions"

        class request:  # shaped as Celery's task request, without headers
            @staticmethod
            def get(key):
                return {"is_eager": True}.get(key)

    token = bind_request_id("follow-me-6")
    try:
        celery_signals.task_started(task_id="t-2", task=InlineTask)
        during = current_request_id()
        celery_signals.task_finished(task_id="t-2", task=InlineTask, state="SUCCESS")
        after = current_request_id()
    finally:
        reset_request_id(token)

    assert during == "follow-me-6"
    assert after == "follow-me-6"
