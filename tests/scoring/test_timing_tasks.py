"""The hourly decay task: registered with beat, and run with the clock moved on it lowers the
scores that time alone changed, once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from engagement.services import engagement_event_record
from leadcrm.celery import app
from scoring import decay, services, tasks
from scoring.models import LeadScore, LeadScoreHistory

pytestmark = pytest.mark.django_db


def test_beat_runs_the_decay_task_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["scoring-apply-decay"]

    assert entry == {"task": "scoring.apply_decay", "schedule": 3600.0}
    assert "scoring.apply_decay" in app.tasks


def test_the_task_with_the_clock_moved_on_decays_the_score_once(marketing_admin, rep, lead, monkeypatch):
    model = services.scoring_model_create(
        data={"name": "Decaying", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 7},
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "email_open", "points": 60}, acting_user=marketing_admin
    )
    engagement_event_record(event_type="email_open", source="api", lead=lead)
    services.lead_score_recompute(lead_id=lead.pk)
    later = timezone.now() + timedelta(days=14)
    monkeypatch.setattr(decay.timezone, "now", lambda: later)

    first = tasks.apply_decay.apply().get()
    second = tasks.apply_decay.apply().get()

    assert (first, second) == (1, 0)
    assert LeadScore.objects.get(lead=lead, model=model).score == 15  # 60 → 30 → 15 after two half-lives
    assert LeadScoreHistory.objects.filter(lead=lead, model=model).count() == 2
