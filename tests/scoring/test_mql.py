"""The MQL hand-off: once per upward crossing of the threshold (with hysteresis), the model's
action in the same transaction as the score write — status through the lead service (Field
History), queue, owner email through the outbox — and the engagement timeline shows it."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import FieldHistory, PicklistValue
from emails.models import OutboundEmail
from engagement.models import EngagementEvent
from engagement.services import engagement_event_record
from leads.models import Lead
from scoring import mql, services
from scoring.models import LeadScore
from tests.factories import LeadFactory, QueueFactory
from tests.seeding import seed_fields

from .conftest import MQL, mql_status


def _visit(lead, n=1):
    for _ in range(n):
        engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/pricing")


# The state machine, free of the database -------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    scores=st.lists(st.integers(min_value=0, max_value=100), max_size=40),
    threshold=st.integers(min_value=1, max_value=100),
    hysteresis=st.integers(min_value=0, max_value=50),
)
def test_the_crossing_fires_once_per_upward_crossing(scores, threshold, hysteresis):
    armed, fired = True, []
    for score in scores:
        fires, armed = mql.armed_after(armed=armed, score=score, threshold=threshold, hysteresis=hysteresis)
        fired.append(fires)
    # Between two firings the score fell below threshold − hysteresis; never two without it.
    last = None
    for index, fires in enumerate(fired):
        if fires:
            assert scores[index] >= threshold
            if last is not None:
                assert any(s < threshold - hysteresis for s in scores[last + 1 : index])
            last = index
    # The first score at or over the threshold fires (a fresh lead is armed).
    expected_first = next((i for i, s in enumerate(scores) if s >= threshold), None)
    assert (fired.index(True) if any(fired) else None) == expected_first


# The database path -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_crossing_the_threshold_hands_the_lead_off_once(visits_model, rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner_user=rep, status="New")
    _visit(lead)
    services.lead_score_recompute(lead_id=lead.pk)
    assert LeadScore.objects.get(lead=lead).mql_at is None

    with django_capture_on_commit_callbacks(execute=False):
        _visit(lead)
        services.lead_score_recompute(lead_id=lead.pk)
        services.lead_score_recompute(lead_id=lead.pk)  # a second recompute finds the crossing claimed

    score = LeadScore.objects.get(lead=lead)
    lead.refresh_from_db()
    assert (score.score, score.mql_crossings, score.mql_armed) == (60, 1, False)
    assert score.mql_at is not None
    assert lead.status == MQL
    change = FieldHistory.objects.get(object_name="lead", record_id=lead.pk, field_name="status")
    assert (change.old_value, change.new_value) == ("New", MQL)
    assert "Visits" in change.note
    emails = OutboundEmail.objects.filter(idempotency_key__startswith=f"mql:{lead.pk}:")
    assert [(e.to_address, e.idempotency_key) for e in emails] == [(rep.email, f"mql:{lead.pk}:{visits_model.pk}:1")]
    timeline = EngagementEvent.objects.filter(lead=lead, source="scoring")
    assert [e.properties["kind"] for e in timeline] == ["mql"]


@pytest.mark.django_db
def test_the_lead_qualifies_again_only_after_falling_below_the_hysteresis(visits_model, rep):
    lead = LeadFactory(owner_user=rep)
    _visit(lead, 2)
    services.lead_score_recompute(lead_id=lead.pk)
    # 50 is below the threshold but not below 60 − 20: still disarmed, no second hand-off at 60.
    LeadScore.objects.filter(lead=lead).update(score=50)
    mql.crossings_apply(model=visits_model, lead_ids=[lead.pk])
    services.lead_score_recompute(lead_id=lead.pk)
    assert LeadScore.objects.get(lead=lead).mql_crossings == 1

    LeadScore.objects.filter(lead=lead).update(score=30)
    mql.crossings_apply(model=visits_model, lead_ids=[lead.pk])
    assert LeadScore.objects.get(lead=lead).mql_armed
    services.lead_score_recompute(lead_id=lead.pk)

    score = LeadScore.objects.get(lead=lead)
    assert (score.mql_crossings, score.mql_armed) == (2, False)
    assert OutboundEmail.objects.filter(idempotency_key=f"mql:{lead.pk}:{visits_model.pk}:2").exists()


@pytest.mark.django_db
def test_the_hand_off_can_move_the_lead_to_a_queue_and_email_the_queue(marketing_admin, rep):
    queue = QueueFactory(email="hot@example.com")
    model = services.scoring_model_create(
        data={
            "name": "Fit",
            "fit_weight": 100,
            "behaviour_weight": 0,
            "mql_threshold": 50,
            "mql_queue": queue.pk,
            "mql_notify_owner": True,
        },
        acting_user=marketing_admin,
    )
    services.fit_rule_create(
        model=model,
        data={"points": 80, "criteria": [{"field": "city", "operator": "equals", "value": "Berlin"}]},
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep, city="Berlin")

    services.lead_score_recompute(lead_id=lead.pk)

    lead.refresh_from_db()
    assert lead.owner_queue_id == queue.pk
    assert FieldHistory.objects.filter(record_id=lead.pk, field_name="owner").exists()
    assert OutboundEmail.objects.get(record_id=lead.pk, kind="notification").to_address == "hot@example.com"


@pytest.mark.django_db
def test_the_mql_settings_are_checked_by_the_service(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.scoring_model_create(
            data={"name": "Bad", "mql_threshold": 150, "mql_status": "No such status", "mql_queue": 999999},
            acting_user=marketing_admin,
        )
    assert set(exc.value.message_dict) >= {"mql_threshold", "mql_status", "mql_queue"}
    with pytest.raises(ValidationError) as exc:
        services.scoring_model_create(data={"name": "No action", "mql_threshold": 50}, acting_user=marketing_admin)
    assert "mql_threshold" in exc.value.message_dict


@pytest.mark.django_db
def test_a_deactivated_status_skips_only_that_part(visits_model, rep):
    lead = LeadFactory(owner_user=rep, status="New")
    PicklistValue.objects.filter(field_name="status", api_name=MQL).update(is_active=False)
    _visit(lead, 2)

    services.lead_score_recompute(lead_id=lead.pk)

    lead.refresh_from_db()
    assert lead.status == "New"
    assert LeadScore.objects.get(lead=lead).mql_crossings == 1
    assert OutboundEmail.objects.filter(record_id=lead.pk).count() == 1


@pytest.mark.django_db
def test_the_mql_provider_tells_other_apps_which_leads_qualified(visits_model, rep):
    from core.registry import leads_reached_mql

    qualified, other = LeadFactory(owner_user=rep), LeadFactory(owner_user=rep)
    _visit(qualified, 2)
    services.lead_score_recompute(lead_id=qualified.pk)
    services.lead_score_recompute(lead_id=other.pk)

    assert leads_reached_mql([qualified.pk, other.pk]) == {qualified.pk}


# Several recomputes at once ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_recomputes_hand_off_one_crossing_once(marketing_admin, rep):

    seed_fields("leads")
    mql_status()
    model = services.scoring_model_create(
        data={
            "name": "Race",
            "fit_weight": 0,
            "behaviour_weight": 100,
            "decay_half_life_days": 0,
            "mql_threshold": 30,
            "mql_notify_owner": True,
        },
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "page_view", "points": 40}, acting_user=marketing_admin
    )
    lead = LeadFactory(owner_user=rep)
    engagement_event_record(event_type="page_view", source="api", lead=lead)
    barrier = threading.Barrier(4)
    errors = []

    def recompute():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                services.lead_score_recompute(lead_id=lead.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=recompute) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert LeadScore.objects.get(lead=lead, model=model).mql_crossings == 1
    assert OutboundEmail.objects.filter(record_id=lead.pk, idempotency_key__startswith="mql:").count() == 1
    assert Lead.objects.filter(pk=lead.pk).exists()


@pytest.mark.django_db
def test_one_transaction_touching_many_leads_rescores_them_in_one_task(
    visits_model, rep, django_capture_on_commit_callbacks
):
    leads = [LeadFactory(owner_user=rep) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True) as queued:
        for lead in leads:
            _visit(lead, 2)
        _visit(leads[0], 1)

    batches = [callback for callback in queued if isinstance(callback, services._LeadsToRescore)]
    assert list(batches[0].lead_ids) == [lead.pk for lead in leads]  # one task for the transaction
    scores = {s.lead_id: s for s in LeadScore.objects.filter(model=visits_model)}
    assert [scores[lead.pk].score for lead in leads] == [90, 60, 60]
    assert all(scores[lead.pk].mql_crossings == 1 for lead in leads)
    expected = {lead.pk: services.lead_score_compute(lead=lead, model=visits_model).score for lead in leads}
    assert {pk: s.score for pk, s in scores.items()} == expected
