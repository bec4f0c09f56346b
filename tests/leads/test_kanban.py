"""The lead Kanban board: columns, sharing, moves through the lead update service."""

import pytest
from django.urls import reverse

from core.models import FieldHistory, OrgSettings
from leads.kanban import CARD_CAP
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _columns(response) -> dict[str, list[str]]:
    return {c.value: [lead.last_name for lead in c.cards] for c in response.context["columns"]}


def _move(client, lead, value, *, field="status", version=None, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("leads:kanban_move"),
        {"lead": lead.pk, "field": field, "value": value, "version": version or lead.version, "next": "/leads/kanban/"},
        headers=headers,
    )


def test_board_shows_a_column_per_status_in_picklist_order(client, rep):
    LeadFactory(owner_user=rep, last_name="Hopper", status="New", rating="Hot", company="Navy")
    LeadFactory(owner_user=rep, last_name="Turing", status="Working")
    client.force_login(rep)

    response = client.get(reverse("leads:kanban"), {"view": "my"})

    assert response.status_code == 200
    columns = _columns(response)
    assert list(columns)[:2] == ["New", "Working"]
    assert columns["New"] == ["Hopper"]
    assert columns["Working"] == ["Turing"]
    html = response.content.decode()
    assert "Navy" in html
    assert "Hot" in html
    assert "Riley Rep" in html


def test_board_groups_by_another_picklist_with_a_none_column(client, rep):
    LeadFactory(owner_user=rep, last_name="Hopper", lead_source="Website")
    LeadFactory(owner_user=rep, last_name="Turing", lead_source="")
    client.force_login(rep)

    columns = _columns(client.get(reverse("leads:kanban"), {"view": "my", "group": "lead_source"}))

    assert columns["Website"] == ["Hopper"]
    assert columns[""] == ["Turing"]


def test_board_respects_sharing_and_the_list_filters(client, rep, other_rep):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    LeadFactory(owner_user=rep, last_name="Hopper", company="Navy")
    LeadFactory(owner_user=rep, last_name="Lovelace", company="Engines")
    LeadFactory(owner_user=other_rep, last_name="Turing", company="Navy")
    client.force_login(rep)

    columns = _columns(client.get(reverse("leads:kanban"), {"view": "all", "q": "Navy"}))

    assert columns["New"] == ["Hopper"]


def test_a_full_column_is_capped_with_a_link_to_the_filtered_list(client, rep, django_assert_max_num_queries):
    LeadFactory.create_batch(CARD_CAP + 3, owner_user=rep, status="Working")
    client.force_login(rep)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("leads:kanban"), {"view": "my"})

    working = next(c for c in response.context["columns"] if c.value == "Working")
    assert len(working.cards) == CARD_CAP
    assert working.more == 3
    assert working.more_url == "/leads/?view=my&status=Working"
    assert "3 more in the list" in response.content.decode()


def test_moving_a_card_changes_the_status_through_the_service(client, rep):
    lead = LeadFactory(owner_user=rep, status="New")
    client.force_login(rep)

    response = _move(client, lead, "Working")

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.status == "Working"
    assert lead.version == 2
    assert FieldHistory.objects.filter(record_id=lead.pk, field_name="status", new_value="Working").exists()
    assert f'data-version="{lead.version}"' in response.content.decode()


def test_moving_without_htmx_redirects_back_with_a_message(client, rep):
    lead = LeadFactory(owner_user=rep, rating="")
    client.force_login(rep)

    response = _move(client, lead, "Hot", field="rating", htmx=False)

    assert response.status_code == 302
    assert response.url == "/leads/kanban/"
    assert Lead.objects.get(pk=lead.pk).rating == "Hot"


def test_dropping_on_a_converted_status_opens_the_convert_page_instead(client, rep):
    lead = LeadFactory(owner_user=rep, status="Working")
    client.force_login(rep)

    by_htmx = _move(client, lead, "Qualified")
    by_form = _move(client, lead, "Qualified", htmx=False)

    convert_url = reverse("conversion:convert", args=[lead.pk])
    assert by_htmx["HX-Redirect"] == convert_url
    assert by_form.status_code == 302
    assert by_form.url == convert_url
    assert Lead.objects.get(pk=lead.pk).status == "Working"


def test_a_move_based_on_an_old_version_is_refused(client, rep):
    lead = LeadFactory(owner_user=rep, status="New")
    Lead.objects.filter(pk=lead.pk).update(version=3, status="Nurturing")
    client.force_login(rep)

    response = _move(client, lead, "Working", version=1)

    assert response.status_code == 409
    assert "Someone changed this lead meanwhile" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == "Nurturing"


def test_an_invalid_value_is_refused_with_the_service_message(client, rep):
    lead = LeadFactory(owner_user=rep, status="New")
    client.force_login(rep)

    response = _move(client, lead, "Bogus")

    assert response.status_code == 400
    assert "not a valid value" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == "New"


def test_a_rep_cannot_move_another_reps_private_lead(client, rep, other_rep):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    lead = LeadFactory(owner_user=other_rep, status="New")
    client.force_login(rep)

    response = _move(client, lead, "Working")

    assert response.status_code == 404
    assert Lead.objects.get(pk=lead.pk).status == "New"


def test_the_list_page_links_to_the_board(client, rep):
    client.force_login(rep)

    html = client.get(reverse("leads:list"), {"view": "my"}).content.decode()

    assert 'data-testid="kanban-toggle"' in html
    assert "/leads/kanban/?view=my" in html


def test_an_unknown_grouping_falls_back_to_the_status(client, rep):
    client.force_login(rep)

    response = client.get(reverse("leads:kanban"), {"group": "salutation"})

    assert response.context["group"] == "status"
