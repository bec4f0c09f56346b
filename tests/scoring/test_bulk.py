"""The set-based full recompute gives every lead the score, grade and breakdown the incremental
path gives it (hypothesis draws the leads, events and rules), hands off MQL crossings, reports
its progress, and leaves what SQL cannot express to the Python path."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import FieldDefinition
from engagement.models import EngagementEvent
from scoring import bulk, services
from scoring.models import LeadScore, LeadScoreHistory, ScoringModel
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
CITIES = ["Berlin", " berlin ", "Paris", "", "ROME"]
RATINGS = ["Hot", "Warm", "Cold", ""]
URLS = ["https://a.example/pricing", "https://a.example/PRICING/team", "https://a.example/blog", ""]

fit_rules = st.lists(
    st.tuples(
        st.sampled_from(
            [
                {"field": "city", "operator": "equals", "value": "berlin"},
                {"field": "city", "operator": "contains", "value": "ER"},
                {"field": "city", "operator": "not_equal", "value": "Paris"},
                {"field": "city", "operator": "starts_with", "value": "ro"},
                {"field": "city", "operator": "is_blank"},
                {"field": "rating", "operator": "equals", "value": "Hot"},
                {"field": "rating", "operator": "excludes", "value": ["Cold", "Warm"]},
                {"field": "rating", "operator": "is_not_blank"},
                {"field": "number_of_employees", "operator": "gte", "value": "50"},
                {"field": "number_of_employees", "operator": "not_equal", "value": "10"},
                {"field": "email_opt_out", "operator": "equals", "value": "true"},
            ]
        ),
        st.integers(min_value=-40, max_value=60),
    ),
    max_size=4,
)
behaviour_rules = st.lists(
    st.tuples(
        st.sampled_from(["page_view", "email_open", "email_click"]),
        st.sampled_from(["", "/pricing", "a.example/*/team"]),
        st.integers(min_value=-20, max_value=30).filter(bool),
        st.sampled_from([None, 5, 25]),
    ),
    max_size=3,
)
leads = st.lists(
    st.tuples(
        st.sampled_from(CITIES),
        st.sampled_from(RATINGS),
        st.sampled_from([None, 10, 50, 500]),
        st.booleans(),
        st.lists(
            st.tuples(
                st.sampled_from(["page_view", "email_open", "email_click", "form_submit"]),
                st.sampled_from(URLS),
                st.integers(min_value=-400 * 24, max_value=2),  # hours from now (a few in the future)
                st.booleans(),
            ),
            max_size=8,
        ),
    ),
    min_size=1,
    max_size=5,
)


class _Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fits=fit_rules,
    behaviours=behaviour_rules,
    drawn=leads,
    weights=st.tuples(st.integers(0, 100), st.integers(1, 100)),
    half_life=st.sampled_from([0, 1, 30]),
)
def test_the_set_based_recompute_matches_the_incremental_scores(
    marketing_admin, rep, fits, behaviours, drawn, weights, half_life
):
    try:
        with transaction.atomic():
            model = services.scoring_model_create(
                data={
                    "name": "Drawn",
                    "fit_weight": weights[0],
                    "behaviour_weight": weights[1],
                    "decay_half_life_days": half_life,
                },
                acting_user=marketing_admin,
            )
            for criterion, points in fits:
                services.fit_rule_create(
                    model=model, data={"points": points, "criteria": [criterion]}, acting_user=marketing_admin
                )
            for event_type, pattern, points, cap in behaviours:
                services.behaviour_rule_create(
                    model=model,
                    data={"event_type": event_type, "url_pattern": pattern, "points": points, "daily_cap": cap},
                    acting_user=marketing_admin,
                )
            model.refresh_from_db()
            made = []
            for city, rating, employees, opt_out, events in drawn:
                lead = LeadFactory(
                    owner_user=rep, city=city, rating=rating, number_of_employees=employees, email_opt_out=opt_out
                )
                EngagementEvent.objects.bulk_create(
                    EngagementEvent(
                        lead=lead,
                        event_type=event_type,
                        url=url,
                        occurred_at=NOW + timedelta(hours=hours),
                        recorded_at=NOW,
                        is_machine=machine,
                        source="test",
                    )
                    for event_type, url, hours, machine in events
                )
                made.append(lead)
            assert bulk.set_based_possible(model)

            outcome = bulk.model_recompute_sql(model_id=model.pk, now=NOW, batch_ids=2)

            assert outcome.set_based
            assert outcome.scored == len(made)
            stored = {s.lead_id: s for s in LeadScore.objects.filter(model=model)}
            for lead in made:
                expected = services.lead_score_compute(lead=lead, model=model, now=NOW)
                got = stored[lead.pk]
                assert (got.score, got.grade) == (expected.score, expected.grade), (lead.city, lead.rating)
                explained = got.explanation
                assert (explained["fit_score"], explained["behaviour_score"]) == (
                    expected.fit_score,
                    expected.behaviour_score,
                )
                assert explained["fit"] == expected.fit
                assert [(b["rule"], b["events"], b["points"]) for b in explained["behaviour"]] == [
                    (b["rule"], b["events"], b["points"]) for b in expected.behaviour
                ]
                assert [float(b["decayed_points"]) for b in explained["behaviour"]] == pytest.approx(
                    [b["decayed_points"] for b in expected.behaviour], abs=0.011
                )
            raise _Rollback
    except _Rollback:
        pass


def _model(admin, **extra) -> ScoringModel:
    model = services.scoring_model_create(
        data={"name": "Set", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 0, **extra},
        acting_user=admin,
    )
    services.behaviour_rule_create(model=model, data={"event_type": "page_view", "points": 25}, acting_user=admin)
    model.refresh_from_db()
    return model


def _views(lead, n):
    EngagementEvent.objects.bulk_create(
        EngagementEvent(lead=lead, event_type="page_view", occurred_at=NOW, recorded_at=NOW, source="test")
        for _ in range(n)
    )


def test_a_set_based_recompute_hands_off_crossings_once_and_writes_history(marketing_admin, rep):
    model = _model(marketing_admin, mql_threshold=50, mql_notify_owner=True)
    hot, cold = LeadFactory(owner_user=rep), LeadFactory(owner_user=rep)
    _views(hot, 3)
    _views(cold, 1)

    first = bulk.model_recompute_sql(model_id=model.pk, now=NOW)
    again = bulk.model_recompute_sql(model_id=model.pk, now=NOW)

    assert (first.scored, first.qualified, again.qualified) == (2, 1, 0)
    assert LeadScore.objects.get(lead=hot).mql_crossings == 1
    assert LeadScore.objects.get(lead=cold).mql_at is None
    assert LeadScoreHistory.objects.filter(model=model).count() == 2  # the second run changed nothing
    model.refresh_from_db()
    assert (model.recompute_total, model.recompute_done) == (2, 2)
    assert bulk.recompute_progress(model) == {
        "running": False,
        "total": 2,
        "done": 2,
        "percent": 100,
        "started_at": model.recompute_started_at,
        "finished_at": model.recompute_finished_at,
    }


def test_a_converted_lead_is_not_scored_by_the_set_based_recompute(marketing_admin, rep):
    model = _model(marketing_admin)
    LeadFactory(owner_user=rep, is_converted=True, converted_at=NOW)
    open_lead = LeadFactory(owner_user=rep)

    outcome = bulk.model_recompute_sql(model_id=model.pk, now=NOW)

    assert outcome.scored == 1
    assert list(LeadScore.objects.values_list("lead_id", flat=True)) == [open_lead.pk]


def test_a_custom_field_criterion_is_scored_by_the_python_path(marketing_admin, rep):
    FieldDefinition.objects.create(
        object_name="lead", api_name="seats__c", label="Seats", field_type="number", is_custom=True, sort_order=99
    )
    model = _model(marketing_admin)
    services.fit_rule_create(
        model=model,
        data={"points": 30, "criteria": [{"field": "seats__c", "operator": "gte", "value": "10"}]},
        acting_user=marketing_admin,
    )
    model.refresh_from_db()
    lead = LeadFactory(owner_user=rep, custom_fields={"seats__c": 12})

    assert not bulk.set_based_possible(model)
    outcome = bulk.model_recompute_sql(model_id=model.pk, now=NOW)

    assert (outcome.set_based, outcome.scored) == (False, 1)
    assert LeadScore.objects.get(lead=lead).explanation["fit_score"] == 30
