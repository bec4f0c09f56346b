"""The scoring lag: events and lead changes newer than the lead's stored score wait; once the lead
is scored again nothing does. Shown on /metrics and on Setup -> System Health."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.history import Change, history_record
from engagement.models import EngagementEvent
from engagement.services import engagement_event_record
from scoring import services
from scoring.lag import scoring_backlog
from scoring.models import LeadScore, ScoringModel
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-lag-0123456789"


def _changed_long_ago(model: ScoringModel) -> None:
    """Rows from before a model's last change are not counted against it: move the change back."""
    ScoringModel.objects.filter(pk=model.pk).update(updated_at=timezone.now() - timedelta(days=1))


def _event(lead, **extra) -> EngagementEvent:
    # The test's transaction never commits: the recompute the event queues on commit never runs.
    event, _ = engagement_event_record(
        event_type="page_view", source="api", lead=lead, url="https://a.example/pricing", **extra
    )
    return event


def test_nothing_waits_while_no_scoring_model_is_active(lead):
    _event(lead)

    assert scoring_backlog().pending == 0


def test_an_event_waits_until_its_lead_is_scored_again(model, lead):
    assert model.is_active
    _changed_long_ago(model)
    services.lead_score_recompute(lead_id=lead.pk, now=timezone.now() - timedelta(minutes=10))
    assert scoring_backlog().pending == 0

    event = _event(lead)
    EngagementEvent.objects.filter(pk=event.pk).update(recorded_at=timezone.now() - timedelta(minutes=3))
    waiting = scoring_backlog()

    assert waiting.pending == 1
    assert waiting.oldest_at == EngagementEvent.objects.get(pk=event.pk).recorded_at

    services.lead_score_recompute(lead_id=lead.pk)
    assert scoring_backlog().pending == 0


def test_a_lead_never_scored_by_the_model_waits_with_its_event(model, lead, rep):
    other = LeadFactory(owner_user=rep)
    _event(lead)
    _event(other)

    assert scoring_backlog().pending == 2


def test_a_recorded_change_of_a_lead_waits_until_it_is_scored_again(model, lead, rep):
    services.lead_score_recompute(lead_id=lead.pk)
    later = timezone.now() + timedelta(seconds=5)

    history_record(
        object_name="lead",
        record_id=lead.pk,
        changes=[Change("city", "City", "Berlin", "Paris")],
        acting_user=rep,
        at=later,
    )

    assert scoring_backlog().pending == 1
    assert scoring_backlog().oldest_at == later
    services.lead_score_recompute(lead_id=lead.pk, now=later)
    assert scoring_backlog().pending == 0


def test_machine_and_anonymous_events_and_rows_older_than_the_model_do_not_wait(model, lead, rep):
    services.lead_score_recompute(lead_id=lead.pk)
    _event(lead, is_machine=True)
    engagement_event_record(event_type="page_view", source="api", visitor_id="v" * 20, url="https://a.example/")
    old = _event(LeadFactory(owner_user=rep))
    EngagementEvent.objects.filter(pk=old.pk).update(recorded_at=model.updated_at - timedelta(minutes=1))

    assert scoring_backlog().pending == 0


def test_the_scoring_lag_is_exported_and_shown_on_system_health(client, settings, model, lead, marketing_admin):
    settings.METRICS_TOKEN = TOKEN
    _changed_long_ago(model)
    event = _event(lead)
    EngagementEvent.objects.filter(pk=event.pk).update(recorded_at=timezone.now() - timedelta(minutes=7))

    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()

    assert 'leadcrm_backlog_pending{backlog="scoring"} 1.0' in text
    lag = next(line for line in text.splitlines() if line.startswith('leadcrm_backlog_lag_seconds{backlog="scoring"}'))
    assert 420 <= float(lag.split()[-1]) < 480

    client.force_login(marketing_admin)
    html = client.get("/setup/system-health/").content.decode()
    assert 'data-testid="backlog-scoring"' in html
    assert "Leads waiting to be scored" in html
    assert "Behind by 7 minutes." in html


def test_the_scoring_lag_reads_few_queries(model, lead, django_assert_max_num_queries):
    _event(lead)
    _changed_long_ago(model)

    with django_assert_max_num_queries(7):
        assert scoring_backlog().pending == 1
    assert LeadScore.objects.count() == 0
