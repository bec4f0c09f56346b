"""The tracking drain scores the leads of the page views it recorded in its own task, right after
each batch commits, instead of a scoring task per batch (which, at a hundred page views a second,
queued faster than the scoring worker took them); a rescoring that fails there goes to the broker."""

import json

import pytest
from django.utils import timezone

from engagement.models import TrackedVisitor, TrackingIntake
from engagement.tasks import process_tracking
from scoring import services
from scoring.models import LeadScore

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VISITOR = "visitorrescore0001"


@pytest.fixture
def published(monkeypatch):
    names: list[str] = []
    monkeypatch.setattr(services, "_publish", lambda task, *args: names.append(task.name) or True)
    return names


def _store_page_views(lead, paths: list[str]) -> None:
    TrackedVisitor.objects.get_or_create(visitor_id=VISITOR, defaults={"lead": lead, "linked_at": timezone.now()})
    TrackingIntake.objects.bulk_create(
        TrackingIntake(
            body=json.dumps({"vid": VISITOR, "url": f"https://www.example.com{path}"}), received_at=timezone.now()
        )
        for path in paths
    )


def test_the_drain_scores_the_leads_of_its_page_views_in_the_same_task(model, lead, published):
    _store_page_views(lead, ["/pricing", "/pricing/teams", "/about"])

    assert process_tracking() == 3

    score = LeadScore.objects.get(lead=lead, model=model)
    assert score.explanation["behaviour"][0]["events"] == 2  # the two pricing visits
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (score.score, score.grade)
    assert published == []  # no scoring task: the drain did it


def test_a_later_drain_counts_the_new_page_views(model, lead, published):
    _store_page_views(lead, ["/pricing"])
    process_tracking()
    _store_page_views(lead, ["/pricing/a", "/pricing/b"])

    assert process_tracking() == 2

    assert LeadScore.objects.get(lead=lead, model=model).explanation["behaviour"][0]["events"] == 3
    assert published == []


def test_a_rescoring_that_fails_in_the_drain_is_handed_to_the_scoring_worker(model, lead, published, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("scoring is broken")

    monkeypatch.setattr(services, "lead_score_recompute", broken)
    _store_page_views(lead, ["/pricing"])

    assert process_tracking() == 1  # the page view is recorded all the same

    assert published == ["scoring.recompute_lead"]
    assert not LeadScore.objects.filter(lead=lead).exists()
    assert TrackingIntake.objects.get().outcome == TrackingIntake.Outcome.RECORDED
