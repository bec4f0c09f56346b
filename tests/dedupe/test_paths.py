"""Duplicate rules on every entry point: the lead page (alert, block), the API (409, override),
Web-to-Lead one at a time and in batches (attach), and the function imports call."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from dedupe import services
from leads.intake import DuplicateLeadError, IntakeOptions, IntakeRow, intake_batch, lead_intake
from leads.models import Lead

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Ada", "last_name": "Lovelace", "company": "Engines", "email": "ada@example.net"}


def _page_data(rep, **fields):
    return {**PERSON, "status": "New", "owner": f"user:{rep.pk}", **fields}


def test_the_new_lead_page_shows_possible_duplicates_and_saves_only_when_confirmed(
    client, rep, duplicate_rule, make_lead
):
    duplicate_rule(action_page="alert")
    existing = make_lead(email="ADA@example.net", owner_user=rep)
    client.force_login(rep)
    response = client.post(reverse("leads:create"), _page_data(rep))
    assert response.status_code == 200
    assert b'data-testid="possible-duplicates"' in response.content
    assert reverse("leads:detail", args=[existing.pk]).encode() in response.content
    assert b'data-testid="save-anyway"' in response.content
    assert Lead.objects.count() == 1
    response = client.post(reverse("leads:create"), _page_data(rep, allow_duplicates="1"))
    assert response.status_code == 302
    assert Lead.objects.count() == 2


def test_a_blocking_rule_refuses_the_lead_on_the_page_even_when_confirmed(client, rep, duplicate_rule, make_lead):
    duplicate_rule(action_page="block")
    make_lead(email="ada@example.net", owner_user=rep)
    client.force_login(rep)
    response = client.post(reverse("leads:create"), _page_data(rep, allow_duplicates="1"))
    assert response.status_code == 200
    assert b'data-testid="possible-duplicates"' in response.content
    assert b'data-testid="save-anyway"' not in response.content
    assert Lead.objects.count() == 1


def test_editing_a_lead_into_a_duplicate_alerts_but_other_edits_do_not(client, rep, duplicate_rule, make_lead):
    duplicate_rule(action_page="alert")
    make_lead(email="ada@example.net", owner_user=rep)
    lead = make_lead(email="other@example.net", owner_user=rep)
    client.force_login(rep)
    url = reverse("leads:edit", args=[lead.pk])
    data = _page_data(
        rep, version=lead.version, first_name=lead.first_name, last_name=lead.last_name, company=lead.company
    )
    response = client.post(url, {**data, "email": "ada+x@example.net"})
    assert b'data-testid="possible-duplicates"' in response.content
    lead.refresh_from_db()
    assert lead.email == "other@example.net"
    response = client.post(url, {**data, "email": "other@example.net", "title": "CTO"})
    assert response.status_code == 302


def test_the_api_answers_409_with_the_matches_and_saves_with_the_override(api, rep, duplicate_rule, make_lead):
    duplicate_rule(action_api="alert")
    existing = make_lead(email="ada@example.net", owner_user=rep)
    client = api.as_user(rep)
    response = client.post("/api/leads/", PERSON, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["overridable"] is True
    assert [(d["object"], d["id"], d["rule"], d["score"]) for d in body["duplicates"]] == [
        ("lead", existing.pk, "Same email", 1.0)
    ]
    response = client.post("/api/leads/?allow_duplicates=true", PERSON, format="json")
    assert response.status_code == 201


def test_the_api_cannot_override_a_blocking_rule(api, rep, duplicate_rule, make_lead):
    duplicate_rule(action_api="block")
    make_lead(email="ada@example.net")
    response = api.as_user(rep).post("/api/leads/", {**PERSON, "allow_duplicates": True}, format="json")
    assert response.status_code == 409
    assert response.json()["overridable"] is False
    # The match belongs to another rep: the answer does not show who it is.
    assert response.json()["duplicates"][0]["name"] == ""
    assert Lead.objects.count() == 1


def test_a_rule_entry_applies_only_to_leads_meeting_its_criteria(system_admin, email_rule, rep, make_lead):
    from core import rules

    rule = rules.rule_create(kind=services.DUPLICATE, name="Web only", acting_user=system_admin)
    services.duplicate_entry_create(
        rule=rule,
        data={
            "criteria": [{"field": "city", "operator": "equals", "value": "Paris"}],
            "matching_rule": email_rule,
            "action_api": "block",
        },
        acting_user=system_admin,
    )
    rules.rule_activate(kind=services.DUPLICATE, rule=rule, acting_user=system_admin)
    make_lead(email="ada@example.net")
    with pytest.raises(DuplicateLeadError):
        lead_intake(data={**PERSON, "city": "Paris"}, acting_user=rep, source="api")
    assert lead_intake(data={**PERSON, "city": "Lyon"}, acting_user=rep, source="api").lead.pk


def test_attach_is_refused_for_the_page_and_the_api(system_admin, email_rule):
    from django.core.exceptions import ValidationError

    from core import rules

    rule = rules.rule_create(kind=services.DUPLICATE, name="Bad", acting_user=system_admin)
    with pytest.raises(ValidationError) as exc:
        services.duplicate_entry_create(
            rule=rule, data={"matching_rule": email_rule, "action_page": "attach"}, acting_user=system_admin
        )
    assert "action_page" in exc.value.message_dict


def _single_and_batch(rows, creator):
    """The same rows through the single path and the batched path (each on its own copy of the data)."""
    options = IntakeOptions(source="webtolead")
    return intake_batch(rows=[IntakeRow(data=r, owner=creator) for r in rows], options=options, acting_user=creator)


def test_attach_fills_blanks_of_the_existing_lead_on_the_batched_path(rep, duplicate_rule, make_lead):
    duplicate_rule(action_webtolead="attach")
    existing = make_lead(email="ada@example.net", phone="", title="", owner_user=rep)
    answers = _single_and_batch(
        [
            {**PERSON, "email": "Ada+web@example.net", "phone": "+1 415 555 0100", "title": "Countess"},
            {**PERSON, "email": "new@example.net"},
            {**PERSON, "email": "new+again@example.net"},
        ],
        rep,
    )
    assert answers[0].attached
    assert answers[0].lead.pk == existing.pk
    existing.refresh_from_db()
    assert (existing.phone, existing.title, existing.email) == ("+1 415 555 0100", "Countess", "ada@example.net")
    # A row like an earlier row of the batch attaches to the lead that row made, as one at a time would.
    assert not answers[1].attached
    assert answers[2].attached
    assert answers[2].lead.pk == answers[1].lead.pk
    assert Lead.objects.count() == 2


def test_attach_gives_the_same_results_one_at_a_time(rep, duplicate_rule, make_lead):
    duplicate_rule(action_webtolead="attach")
    existing = make_lead(email="ada@example.net", phone="", title="", owner_user=rep)
    rows = [
        {**PERSON, "email": "Ada+web@example.net", "phone": "+1 415 555 0100", "title": "Countess"},
        {**PERSON, "email": "new@example.net"},
        {**PERSON, "email": "new+again@example.net"},
    ]
    answers = [lead_intake(data=row, acting_user=rep, owner=rep, source="webtolead") for row in rows]
    assert [a.attached for a in answers] == [True, False, True]
    assert answers[0].lead.pk == existing.pk
    assert answers[2].lead.pk == answers[1].lead.pk
    existing.refresh_from_db()
    assert (existing.phone, existing.title) == ("+1 415 555 0100", "Countess")
    assert Lead.objects.count() == 2


def test_a_web_to_lead_submission_attaches_to_the_existing_lead_with_a_form_submit_event(
    web_form_with_duplicates, make_lead, creator
):
    from engagement.models import EngagementEvent
    from webtolead.models import Intake
    from webtolead.services import intake_process, submissions_process

    existing = make_lead(email="ada@example.net", owner_user=creator)
    first = _stored(web_form_with_duplicates, email="ADA@example.net", key="a")
    intake_process(intake_pk=first.pk)
    _stored(web_form_with_duplicates, email="ada+2@example.net", key="b")
    submissions_process()
    assert Lead.objects.count() == 1
    assert set(Intake.objects.values_list("lead_id", flat=True)) == {existing.pk}
    # Both paths say so on the intake row.
    assert all(
        f"Attached to the existing lead {existing.pk}" in reason
        for reason in Intake.objects.values_list("reason", flat=True)
    )
    assert EngagementEvent.objects.filter(lead=existing, event_type="form_submit").count() == 2


def _stored(form, *, key: str, **fields):
    from webtolead.models import Intake

    payload = {"oid": form.public_key, "last_name": "Lovelace", "company": "Engines", **fields}
    return Intake.objects.create(
        form=form,
        form_key=form.public_key,
        payload=payload,
        received_at=timezone.now(),
        public_ref=uuid.uuid4().hex[:12],
        submission_key=key,
    )


@pytest.fixture
def web_form_with_duplicates(duplicate_rule, web_form):
    from webtolead.models import WebToLeadSettings

    WebToLeadSettings.objects.update(daily_limit=0)
    duplicate_rule(action_webtolead="attach")
    return web_form


def test_the_import_function_answers_a_decision_per_row(duplicate_rule, make_lead):
    duplicate_rule(action_import="attach")
    existing = make_lead(email="ada@example.net")
    decisions = services.match_batch([{"email": "ada@example.net"}, {"email": "x@example.net"}], path="import")
    assert [(d.action, [m.record_id for m in d.matches]) for d in decisions] == [
        ("attach", [existing.pk]),
        ("allow", []),
    ]


def test_an_import_row_blocked_by_the_rule_is_refused_through_the_intake(rep, duplicate_rule, make_lead):
    duplicate_rule(action_import="block")
    make_lead(email="ada@example.net")
    answers = intake_batch(
        rows=[IntakeRow(data=PERSON), IntakeRow(data={**PERSON, "email": "b@example.net"})],
        options=IntakeOptions(source="import"),
        acting_user=rep,
    )
    assert isinstance(answers[0], DuplicateLeadError)
    assert answers[0].blocking
    assert answers[1].lead.email == "b@example.net"
