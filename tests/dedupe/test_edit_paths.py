"""Duplicate rules on the pages that change a lead without the full edit form: the lead page's
inline edit (alert with the matches and "Save anyway", block naming the matches), the Kanban board
and the list view's mass actions. The rule is applied by ``lead_update`` itself, so each path gets
the edit page's semantics: only a change of a field the rules compare is judged."""

import pytest
from django.urls import reverse

from leads.intake import DuplicateLeadError
from leads.intake.single import MATCHED_FIELDS
from leads.kanban import GROUP_FIELDS
from leads.models import Lead
from leads.services import lead_update
from leads.views import MASS_ACTIONS

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _inline(client, lead, field, value, **extra):
    return client.post(
        reverse("leads:inline_edit", args=[lead.pk, field]),
        {field: value, "version": lead.version, **extra},
        headers=HTMX,
    )


@pytest.fixture
def pair(rep, make_lead):
    """Ada (the existing lead) and Bob, whose email differs; both the rep's."""
    ada = make_lead(first_name="Ada", last_name="Lovelace", email="ada@example.net", owner_user=rep)
    bob = make_lead(first_name="Bob", last_name="Babbage", email="bob@example.net", owner_user=rep)
    return ada, bob


def test_the_service_judges_a_persons_edit_of_a_compared_field_but_not_the_systems(rep, duplicate_rule, pair):
    duplicate_rule(action_page="block")
    ada, bob = pair
    with pytest.raises(DuplicateLeadError) as raised:
        lead_update(lead=bob, data={"email": "ADA@example.net"}, acting_user=rep, duplicates="page")
    assert raised.value.blocking is True
    assert [(m["object"], m["id"]) for m in raised.value.matches] == [("lead", ada.pk)]
    bob.refresh_from_db()
    assert bob.email == "bob@example.net"
    # A change the system makes (a merge, an attach) names no entry point and is not judged.
    assert lead_update(lead=bob, data={"email": "ada@example.net"}, acting_user=rep).email == "ada@example.net"


def test_inline_edit_into_a_duplicate_shows_the_matches_and_saves_when_confirmed(client, rep, duplicate_rule, pair):
    duplicate_rule(action_page="alert")
    ada, bob = pair
    client.force_login(rep)

    response = _inline(client, bob, "email", "ada+news@example.net")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="possible-duplicates"' in html
    assert reverse("leads:detail", args=[ada.pk]) in html
    assert "Ada Lovelace" in html
    assert 'data-testid="save-anyway"' in html
    # Still the inline form (the partial htmx swaps in), nothing saved.
    assert 'id="field-email"' in html
    bob.refresh_from_db()
    assert bob.email == "bob@example.net"

    response = _inline(client, bob, "email", "ada+news@example.net", allow_duplicates="1")

    assert response.status_code == 200
    assert 'data-testid="possible-duplicates"' not in response.content.decode()
    bob.refresh_from_db()
    assert bob.email == "ada+news@example.net"


def test_inline_edit_refuses_a_blocked_duplicate_even_when_confirmed(client, rep, duplicate_rule, pair):
    duplicate_rule(action_page="block")
    _ada, bob = pair
    client.force_login(rep)

    response = _inline(client, bob, "email", "ada@example.net", allow_duplicates="1")

    html = response.content.decode()
    assert 'data-testid="possible-duplicates"' in html
    assert "the duplicate rule does not let it be saved" in html
    assert "Ada Lovelace" in html
    assert 'data-testid="save-anyway"' not in html
    bob.refresh_from_db()
    assert bob.email == "bob@example.net"


def test_inline_edit_of_a_field_the_rules_do_not_compare_is_not_judged(client, rep, duplicate_rule, make_lead):
    duplicate_rule(action_page="block")
    make_lead(email="ada@example.net", owner_user=rep)
    twin = make_lead(email="ada@example.net", owner_user=rep)
    client.force_login(rep)

    response = _inline(client, twin, "title", "CTO")

    assert 'data-testid="possible-duplicates"' not in response.content.decode()
    twin.refresh_from_db()
    assert twin.title == "CTO"


def test_inline_edit_without_htmx_says_why_nothing_was_saved(client, rep, duplicate_rule, pair):
    duplicate_rule(action_page="alert")
    _ada, bob = pair
    client.force_login(rep)

    response = client.post(
        reverse("leads:inline_edit", args=[bob.pk, "email"]), {"email": "ada@example.net", "version": bob.version}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("leads:edit", args=[bob.pk]))
    text = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "Nothing was saved." in text
    assert "looks like existing records" in text
    bob.refresh_from_db()
    assert bob.email == "bob@example.net"


def test_a_kanban_move_cannot_change_a_compared_field_so_it_is_never_refused(client, rep, duplicate_rule, make_lead):
    # The board groups by picklists only, and the duplicate rules compare none of them.
    assert not set(GROUP_FIELDS) & set(MATCHED_FIELDS)
    duplicate_rule(action_page="block")
    make_lead(email="ada@example.net", owner_user=rep, status="New")
    twin = make_lead(email="ada@example.net", owner_user=rep, status="New", rating="")
    client.force_login(rep)

    for field, value in (("status", "Working"), ("rating", "Hot")):
        twin.refresh_from_db()
        response = client.post(
            reverse("leads:kanban_move"),
            {"lead": twin.pk, "field": field, "value": value, "version": twin.version, "next": "/leads/kanban/"},
            headers=HTMX,
        )
        assert response.status_code == 200, response.content

    twin.refresh_from_db()
    assert (twin.status, twin.rating) == ("Working", "Hot")


def test_the_list_mass_actions_change_no_compared_field_so_duplicates_are_not_refused(
    client, rep, duplicate_rule, make_lead
):
    # Owner, status, assignment and delete: none changes a field the duplicate rules compare.
    assert set(MASS_ACTIONS) == {"change_owner", "change_status", "run_assignment", "delete"}
    duplicate_rule(action_page="block")
    leads = [make_lead(email="ada@example.net", owner_user=rep, status="New") for _ in range(2)]
    client.force_login(rep)

    response = client.post(
        reverse("leads:mass_action"),
        {"action": "change_status", "status": "Working", "ids": [lead.pk for lead in leads]},
        follow=True,
    )

    assert "Changed the status of 2 leads." in response.content.decode()
    assert set(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("status", flat=True)) == {"Working"}


def test_an_api_edit_into_a_duplicate_answers_409_and_saves_with_the_override(api, rep, duplicate_rule, pair):
    duplicate_rule(action_api="alert")
    ada, bob = pair
    client = api.as_user(rep)

    response = client.patch(f"/api/leads/{bob.pk}/", {"email": "ada@example.net"}, format="json")

    assert response.status_code == 409
    assert response.json()["overridable"] is True
    assert [(d["object"], d["id"]) for d in response.json()["duplicates"]] == [("lead", ada.pk)]
    bob.refresh_from_db()
    assert bob.email == "bob@example.net"
    response = client.patch(
        f"/api/leads/{bob.pk}/", {"email": "ada@example.net", "allow_duplicates": True}, format="json"
    )
    assert response.status_code == 200
    bob.refresh_from_db()
    assert bob.email == "ada@example.net"


def test_an_api_edit_cannot_override_a_blocking_rule(api, rep, duplicate_rule, pair):
    duplicate_rule(action_api="block")
    _ada, bob = pair
    response = api.as_user(rep).patch(
        f"/api/leads/{bob.pk}/?allow_duplicates=true", {"email": "ada@example.net"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["overridable"] is False
    bob.refresh_from_db()
    assert bob.email == "bob@example.net"
