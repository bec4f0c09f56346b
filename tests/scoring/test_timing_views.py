"""The Setup pages of velocity and status-progression rules, and the Score panel's sparkline and
explanation of the timing rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.services import engagement_event_record
from scoring import services
from scoring.history import sparkline_of
from scoring.models import StatusProgressionRule, VelocityRule

pytestmark = pytest.mark.django_db


def test_a_marketing_admin_adds_edits_and_deletes_timing_rules_from_the_model_page(client, marketing_admin, model):
    client.force_login(marketing_admin)
    base = f"/setup/scoring-models/{model.pk}"

    velocity = client.post(
        f"{base}/velocity-rules/new/",
        {"label": "Streak", "event_type": "page_view", "min_events": 8, "window_days": 4, "points": 25},
    )
    rule = VelocityRule.objects.get()
    edited = client.post(
        f"{base}/velocity-rules/{rule.pk}/",
        {"label": "Streak", "event_type": "page_view", "min_events": 5, "window_days": 4, "points": 25},
    )
    progression = client.post(
        f"{base}/progression-rules/new/",
        {
            "label": "Quick",
            "from_status": "New",
            "to_status": "Working",
            "comparison": "within",
            "threshold": 2,
            "unit": "days",
            "points": 15,
        },
    )
    page = client.get(f"{base}/").content.decode()
    deleted = client.post(f"/setup/scoring-velocity-rules/{rule.pk}/delete/")

    assert (velocity.status_code, edited.status_code, progression.status_code) == (302, 302, 302)
    assert "5 × Page view within 4 days" in page
    assert f'data-testid="progression-rule-{StatusProgressionRule.objects.get().pk}"' in page
    assert "Working" in page
    assert deleted.status_code == 302
    assert not VelocityRule.objects.exists()


def test_bad_timing_rule_forms_show_messages(client, marketing_admin, model):
    client.force_login(marketing_admin)

    response = client.post(
        f"/setup/scoring-models/{model.pk}/progression-rules/new/",
        {"from_status": "New", "to_status": "New", "comparison": "within", "threshold": 2, "unit": "days", "points": 5},
    )
    form = client.get(f"/setup/scoring-models/{model.pk}/velocity-rules/new/")

    assert response.status_code == 200
    assert "Choose a status other than the first one." in response.content.decode()
    assert form.status_code == 200
    assert not StatusProgressionRule.objects.exists()


def test_a_rep_cannot_open_the_timing_rule_pages(client, rep, model):
    client.force_login(rep)

    assert client.get(f"/setup/scoring-models/{model.pk}/velocity-rules/new/").status_code == 403


def test_the_score_panel_shows_a_sparkline_once_the_score_moved(client, rep, model, lead, marketing_admin):
    client.force_login(rep)
    services.lead_score_recompute(lead_id=lead.pk)
    before = client.get(f"/leads/{lead.pk}/").content.decode()
    engagement_event_record(
        event_type="page_view",
        source="api",
        lead=lead,
        url="https://a.example/pricing",
        occurred_at=timezone.now() - timedelta(minutes=1),
    )
    services.lead_score_recompute(lead_id=lead.pk)

    after = client.get(f"/leads/{lead.pk}/").content.decode()

    assert 'data-testid="score-sparkline"' not in before  # one score is no line yet
    assert 'data-testid="score-sparkline"' in after
    assert "Score history: 2 changes, from 40 to 45" in after
    assert "<script" not in after.split('data-testid="lead-score"')[1].split("</section>")[0]


def test_a_sparkline_runs_left_to_right_on_a_fixed_scale():
    line = sparkline_of([0, 100, 50], timezone.now())

    points = [tuple(map(float, p.split(","))) for p in line.points.split()]
    assert [x for x, _ in points] == sorted(x for x, _ in points)
    assert points[0][1] > points[2][1] > points[1][1]  # 0 at the bottom, 100 at the top
    assert (line.low, line.high, line.count) == (0, 100, 3)
    assert sparkline_of([42], timezone.now()) is None
