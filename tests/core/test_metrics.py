"""/metrics: Prometheus text for a token or an allowed address only; requests, tasks and the
backlogs read from the database at scrape time. Setup -> System health shows the same backlogs."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core import celery_signals, heartbeat

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-0123456789"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    return TOKEN


def _scrape(client) -> dict:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_are_refused_without_the_token_or_an_allowed_address(client, metrics_token):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 403


def test_metrics_are_refused_to_everybody_when_nothing_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_an_allowed_address_scrapes_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.2.3").status_code == 403


def test_requests_are_counted_by_view_with_their_latency_and_server_errors(client, metrics_token):
    before = _scrape(client)
    client.get("/healthz")
    client.get("/login/")
    after = _scrape(client)

    login = ("leadcrm_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "login")))
    probe = ("leadcrm_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "healthz")))
    assert after[login] - before.get(login, 0) == 1
    assert after[probe] - before.get(probe, 0) == 1
    latency = ("leadcrm_http_request_duration_seconds_count", (("view", "login"),))
    assert after[latency] - before.get(latency, 0) == 1


def test_tasks_are_counted_with_their_failures_runtime_and_queue_wait(client, metrics_token):
    class Task:
        name = "emails.tasks.deliver_outbound_email"

        class request:  # shaped as Celery's task request
            @staticmethod
            def get(key):
                import time

                return {"published_at": time.time() - 2.0}.get(key)

    before = _scrape(client)
    celery_signals.task_started(task_id="ok-1", task=Task)
    celery_signals.task_finished(task_id="ok-1", task=Task, state="SUCCESS")
    celery_signals.task_started(task_id="bad-1", task=Task)
    celery_signals.task_finished(task_id="bad-1", task=Task, state="FAILURE")
    after = _scrape(client)

    task = (("task", Task.name),)

    def grew(name, labels=task):
        return after[(name, labels)] - before.get((name, labels), 0)

    assert grew("leadcrm_celery_tasks_total", (("state", "success"), *task)) == 1
    assert grew("leadcrm_celery_tasks_total", (("state", "failure"), *task)) == 1
    assert grew("leadcrm_celery_task_failures_total") == 1
    assert grew("leadcrm_celery_task_runtime_seconds_count") == 2
    assert grew("leadcrm_celery_task_queue_wait_seconds_count") == 2
    assert grew("leadcrm_celery_task_queue_wait_seconds_sum") >= 4.0


def _outbound_email(status: str, minutes_ago: int):
    from emails.models import OutboundEmail

    created = timezone.now() - timedelta(minutes=minutes_ago)
    return OutboundEmail.objects.create(
        idempotency_key=f"metrics-{status}-{minutes_ago}",
        status=status,
        kind=OutboundEmail.Kind.SYSTEM,
        to_address="someone@example.com",
        subject="Hello",
        body_text="Hello",
        next_attempt_at=created,
        created_at=created,
        sent_at=created if status == "sent" else None,
    )


def _intake(outcome: str, minutes_ago: int):
    from webtolead.models import Intake

    at = timezone.now() - timedelta(minutes=minutes_ago)
    return Intake.objects.create(
        payload={"last_name": "Doe"},
        received_at=at,
        outcome=outcome,
        public_ref=f"ref-{outcome}-{minutes_ago}",
        processed_at=at if outcome == "created" else None,
    )


def test_backlogs_are_read_from_the_database_at_scrape_time(client, metrics_token):
    _outbound_email("queued", 10)
    _outbound_email("queued", 2)
    _outbound_email("sent", 30)
    _intake("received", 5)
    _intake("created", 50)

    samples = _scrape(client)

    assert samples[("leadcrm_outbox_emails", (("status", "queued"),))] == 2
    assert samples[("leadcrm_outbox_emails", (("status", "sent"),))] == 1
    assert samples[("leadcrm_outbox_emails", (("status", "failed"),))] == 0
    assert 600 <= samples[("leadcrm_outbox_oldest_queued_age_seconds", ())] < 660
    assert samples[("leadcrm_webtolead_intakes", (("outcome", "received"),))] == 1
    assert samples[("leadcrm_webtolead_intakes", (("outcome", "created"),))] == 1
    assert samples[("leadcrm_webtolead_backlog", ())] == 1
    assert 300 <= samples[("leadcrm_webtolead_backlog_oldest_age_seconds", ())] < 360
    assert samples[("leadcrm_lead_imports", (("status", "running"),))] == 0


def test_worker_heartbeats_are_exported(client, metrics_token):
    heartbeat.record("worker", "celery@web-1", queues=["intake"])

    samples = _scrape(client)

    assert samples[("leadcrm_worker_heartbeat_age_seconds", (("worker", "celery@web-1"),))] < 5


# Setup -> System health -----------------------------------------------------------------------------


def test_the_system_health_page_is_for_setup_admins_only(client, rep):
    client.force_login(rep)

    assert client.get("/setup/system-health/").status_code == 403


def test_the_system_health_page_shows_backlogs_and_heartbeats(client, marketing_admin):
    _intake("received", 5)
    _outbound_email("queued", 10)
    heartbeat.record("worker", "celery@host-a", queues=["emails", "intake"])
    heartbeat.record("beat", "beat@host-a:12", leader=True)
    client.force_login(marketing_admin)

    response = client.get("/setup/system-health/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "celery@host-a" in html
    assert "emails, intake" in html
    assert "Publishing periodic tasks" in html
    assert "The oldest arrived 5 minutes ago." in html
    assert "The oldest was queued 10 minutes ago." in html
    assert 'data-testid="check-database"' in html
    assert "System Health" in html


def test_the_system_health_page_says_when_no_worker_or_beat_reported(client, marketing_admin):
    client.force_login(marketing_admin)

    html = client.get("/setup/system-health/").content.decode()

    assert 'data-testid="empty-workers"' in html
    assert 'data-testid="empty-beats"' in html
    assert "Every submission has been processed." in html
    assert "The outbox is empty." in html


def test_tasks_waiting_in_each_queue_are_exported_and_shown(client, metrics_token, settings, marketing_admin):
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("imports")
    broker.rpush("imports", "a", "b")
    try:
        samples = _scrape(client)
        client.force_login(marketing_admin)
        html = client.get("/setup/system-health/").content.decode()
    finally:
        broker.delete("imports")

    assert samples[("leadcrm_celery_queue_length", (("queue", "imports"),))] == 2
    assert ("leadcrm_celery_queue_length", (("queue", "intake"),)) in samples
    assert 'data-testid="queue-imports"' in html
