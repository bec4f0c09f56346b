"""The lead list (page and API) with the columns scoring and engagement add through
``core.registry``: the default model's score and grade, when it was computed, and the last
activity; sortable, filterable, and read without one query per row."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.services import engagement_event_record
from leads.models import Lead
from leads.sort_keys import leads_score_set
from scoring import services
from scoring.models import LeadScore
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
COLUMNS = ["name", "score", "grade", "score_updated_at", "last_activity_at"]


def _scored(rep, model, name, score, grade, *, activity_days_ago=None):
    lead = LeadFactory(owner_user=rep, last_name=name)
    row = LeadScore.objects.create(
        lead=lead, model=model, score=score, grade=grade, model_version=model.version, computed_at=timezone.now()
    )
    if model.is_default:  # as scoring stores a default model's score
        leads_score_set(rows=[(lead.pk, score, grade, row.computed_at)])
    if activity_days_ago is not None:
        engagement_event_record(
            event_type="page_view",
            source="api",
            lead=lead,
            url="https://example.com/",
            occurred_at=timezone.now() - timedelta(days=activity_days_ago),
        )
    return lead


@pytest.fixture
def scored(rep, model):
    return {
        "low": _scored(rep, model, "Low", 10, "D", activity_days_ago=1),
        "high": _scored(rep, model, "High", 90, "A", activity_days_ago=5),
        "mid": _scored(rep, model, "Mid", 50, "B"),
        "none": LeadFactory(owner_user=rep, last_name="Unscored"),
    }


def _names(response) -> list[str]:
    return [lead.last_name for lead, _cells in response.context["rows"]]


def test_the_list_page_sorts_by_score_and_shows_score_grade_and_last_activity(client, rep, scored):
    client.force_login(rep)
    client.post(reverse("leads:list_columns"), {"columns": COLUMNS})

    descending = client.get(reverse("leads:list"), {"view": "my", "ordering": "-score"})
    ascending = client.get(reverse("leads:list"), {"view": "my", "ordering": "score"})
    by_activity = client.get(reverse("leads:list"), {"view": "my", "ordering": "-last_activity_at"})

    assert [c.key for c in descending.context["columns"]] == COLUMNS
    assert _names(descending) == ["High", "Mid", "Low", "Unscored"]  # unscored last either way
    assert _names(ascending) == ["Low", "Mid", "High", "Unscored"]
    assert _names(by_activity)[:2] == ["Low", "High"]
    cells = {lead.last_name: c for lead, c in descending.context["rows"]}
    assert cells["High"][1:3] == ["90", "A"]
    assert cells["High"][4] != ""
    assert cells["Mid"][4] == ""
    assert cells["Unscored"][1:] == ["", "", "", ""]
    assert "Score (min)" in descending.content.decode()


def test_the_list_page_filters_by_score_range_grade_and_last_activity(client, rep, scored):
    client.force_login(rep)
    since = (timezone.localdate() - timedelta(days=2)).isoformat()

    ranged = client.get(reverse("leads:list"), {"view": "my", "score_min": 20, "score_max": 95, "ordering": "name"})
    graded = client.get(reverse("leads:list"), {"view": "my", "grade": ["A", "D"], "ordering": "name"})
    recent = client.get(reverse("leads:list"), {"view": "my", "last_activity_from": since})

    assert _names(ranged) == ["High", "Mid"]
    assert _names(graded) == ["High", "Low"]
    assert _names(recent) == ["Low"]


def test_the_list_page_reads_the_new_columns_without_a_query_per_row(client, rep, model, django_assert_max_num_queries):
    client.force_login(rep)
    client.post(reverse("leads:list_columns"), {"columns": COLUMNS})
    for i in range(3):
        _scored(rep, model, f"A{i}", i, "D", activity_days_ago=i)
    client.get(reverse("leads:list"), {"view": "my", "ordering": "-score"})
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("leads:list"), {"view": "my", "ordering": "-score"})
    for i in range(20):
        _scored(rep, model, f"B{i}", i, "C", activity_days_ago=i)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("leads:list"), {"view": "my", "ordering": "-score"})
    assert len(response.context["rows"]) == 23


def test_the_api_lists_score_grade_and_last_activity_sorted_and_filtered(api, rep, scored):
    client = api.as_user(rep)

    listed = client.get("/api/leads/", {"view": "my", "ordering": "-score"})
    filtered = client.get("/api/leads/", {"view": "my", "score_min": 40, "grade": "B"})
    one = client.get(f"/api/leads/{scored['high'].pk}/")

    assert listed.status_code == 200, listed.json()
    rows = listed.json()["results"] if isinstance(listed.json(), dict) else listed.json()
    assert [(r["last_name"], r["score"], r["grade"]) for r in rows] == [
        ("High", 90, "A"),
        ("Mid", 50, "B"),
        ("Low", 10, "D"),
        ("Unscored", None, None),
    ]
    assert rows[0]["score_updated_at"]
    assert rows[0]["last_activity_at"]
    assert rows[3]["last_activity_at"] is None
    filtered_rows = filtered.json()["results"] if isinstance(filtered.json(), dict) else filtered.json()
    assert [r["last_name"] for r in filtered_rows] == ["Mid"]
    assert (one.json()["score"], one.json()["grade"]) == (90, "A")


def test_bad_list_filters_are_a_400_with_field_errors(api, rep, scored):
    response = api.as_user(rep).get("/api/leads/", {"score_min": "lots", "grade": "Z"})

    assert response.status_code == 400
    assert {"score_min", "grade"} <= set(response.json())


def test_without_a_default_model_the_columns_are_empty(client, rep, marketing_admin):
    LeadFactory(owner_user=rep, last_name="Plain")
    client.force_login(rep)
    client.post(reverse("leads:list_columns"), {"columns": COLUMNS})

    response = client.get(reverse("leads:list"), {"view": "my", "ordering": "-score"})

    assert response.status_code == 200
    assert response.context["rows"][0][1][1:] == ["", "", "", ""]


def test_each_new_event_moves_the_last_activity_forward_only(rep, lead):
    now = timezone.now()
    for days in (3, 1, 2):
        engagement_event_record(
            event_type="page_view",
            source="api",
            lead=lead,
            url="https://e.com/",
            occurred_at=now - timedelta(days=days),
        )

    assert Lead.objects.get(pk=lead.pk).last_activity_at == now - timedelta(days=1)


def test_a_recompute_keeps_the_list_score_current(rep, model, lead):
    services.lead_score_recompute(lead_id=lead.pk)

    row = LeadScore.objects.get(lead=lead, model=model)
    lead.refresh_from_db()
    assert row.score == 40  # Berlin: 80 fit points, weighted half
    assert (lead.score, lead.grade, lead.score_updated_at) == (40, row.grade, row.computed_at)


def test_a_note_on_the_lead_is_activity_too(rep, lead):
    from leads.services import lead_note_create

    note = lead_note_create(lead=lead, body="Called back, interested.", acting_user=rep)

    assert Lead.objects.get(pk=lead.pk).last_activity_at == note.created_at


def test_a_lead_read_without_the_list_annotations_answers_null_columns(rep, model, lead):
    from leads.api.serializers import LeadSerializer

    data = LeadSerializer(lead).data

    assert (data["score"], data["grade"], data["last_activity_at"]) == (None, None, None)


def test_the_set_based_recompute_puts_the_default_models_scores_on_the_leads(rep, model, lead):
    from scoring import bulk

    others = [LeadFactory(owner_user=rep, city=city) for city in ("Paris", "Rome")]

    outcome = bulk.model_recompute_sql(model_id=model.pk)

    assert outcome.set_based
    stored = {s.lead_id: (s.score, s.grade, s.computed_at) for s in LeadScore.objects.filter(model=model)}
    on_leads = {
        pk: (score, grade, at)
        for pk, score, grade, at in Lead.objects.filter(pk__in=[lead.pk, *(o.pk for o in others)]).values_list(
            "pk", "score", "grade", "score_updated_at"
        )
    }
    assert on_leads == stored
    assert on_leads[lead.pk][0] == 40


def test_another_default_model_brings_its_own_scores_to_the_leads(rep, model, lead, marketing_admin):
    unscored = LeadFactory(owner_user=rep)
    services.lead_score_recompute(lead_id=lead.pk)
    services.lead_score_recompute(lead_id=unscored.pk)
    second = services.scoring_model_create(data={"name": "Second", "fit_weight": 100}, acting_user=marketing_admin)
    LeadScore.objects.filter(lead=unscored).delete()
    services.lead_score_recompute(lead_id=lead.pk)  # the second model scores the lead too

    services.scoring_model_update(model=second, data={"is_default": True}, acting_user=marketing_admin)
    services.default_scores_sync()

    second_score = LeadScore.objects.get(lead=lead, model=second)
    assert Lead.objects.values_list("score", "grade").get(pk=lead.pk) == (second_score.score, second_score.grade)
    assert Lead.objects.values_list("score", "grade", "score_updated_at").get(pk=unscored.pk) == (None, None, None)


def test_a_recompute_that_moves_nothing_leaves_the_lead_row_alone(rep, model, lead):
    services.lead_score_recompute(lead_id=lead.pk)
    first = Lead.objects.values_list("score", "score_updated_at").get(pk=lead.pk)

    services.lead_score_recompute(lead_id=lead.pk)

    assert Lead.objects.values_list("score", "score_updated_at").get(pk=lead.pk) == first
    assert LeadScore.objects.get(lead=lead, model=model).computed_at > first[1]  # computed again all the same
