"""Backlogs registered by apps (core.registry.register_backlog_gauge) are exported on /metrics and
shown on Setup -> System Health without the project importing the app; one that fails to read is
left out, the others still answer."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core import registry
from core.registry import Backlog, BacklogGauge

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-backlogs-0123456789"


@pytest.fixture
def gauges(monkeypatch, settings):
    """Only the gauges the test registers (the installed apps' own are put back afterwards)."""
    settings.METRICS_TOKEN = TOKEN
    monkeypatch.setattr(registry, "_backlog_gauges", {})
    return registry


def _samples(client) -> dict:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _broken() -> Backlog:
    raise RuntimeError("the sequences table is gone")


def test_a_registered_backlog_is_exported_with_its_lag(client, gauges):
    oldest = timezone.now() - timedelta(minutes=4)
    gauges.register_backlog_gauge(
        BacklogGauge(key="sequences", label="Sequence steps due", read=lambda: Backlog(pending=3, oldest_at=oldest))
    )

    samples = _samples(client)

    assert samples[("leadcrm_backlog_pending", (("backlog", "sequences"),))] == 3
    assert 235 <= samples[("leadcrm_backlog_lag_seconds", (("backlog", "sequences"),))] < 300


def test_an_empty_backlog_has_no_lag(client, gauges):
    gauges.register_backlog_gauge(BacklogGauge(key="sequences", label="Steps", read=lambda: Backlog(pending=0)))

    samples = _samples(client)

    assert samples[("leadcrm_backlog_pending", (("backlog", "sequences"),))] == 0
    assert samples[("leadcrm_backlog_lag_seconds", (("backlog", "sequences"),))] == 0


def test_a_backlog_that_fails_to_read_is_left_out_and_logged(client, gauges, caplog):
    gauges.register_backlog_gauge(BacklogGauge(key="broken", label="Broken", read=_broken))
    gauges.register_backlog_gauge(BacklogGauge(key="fine", label="Fine", read=lambda: Backlog(pending=1)))

    samples = _samples(client)

    assert ("leadcrm_backlog_pending", (("backlog", "broken"),)) not in samples
    assert samples[("leadcrm_backlog_pending", (("backlog", "fine"),))] == 1
    assert "Reading the broken backlog failed" in caplog.text


def test_registered_backlogs_have_a_card_on_system_health_in_their_order(client, gauges, marketing_admin):
    oldest = timezone.now() - timedelta(hours=3)
    gauges.register_backlog_gauge(
        BacklogGauge(
            key="sequences",
            label="Sequence steps due",
            description="Steps whose time has come.",
            read=lambda: Backlog(pending=2, oldest_at=oldest),
            url="system_health",
            order=20,
        )
    )
    gauges.register_backlog_gauge(BacklogGauge(key="quiet", label="Quiet work", read=lambda: Backlog(0), order=10))
    client.force_login(marketing_admin)

    html = client.get("/setup/system-health/").content.decode()

    assert 'data-testid="backlog-sequences"' in html
    assert "Steps whose time has come." in html
    assert "Behind by 3 hours." in html
    assert "Nothing is waiting." in html
    assert html.index("Quiet work") < html.index("Sequence steps due")
    assert 'href="/setup/system-health/"' in html
