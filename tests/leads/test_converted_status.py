"""A Lead Status flagged converted ("Qualified") is reached only by converting the lead: the lead
services refuse it on every other path (edit form, status path, mass action; the API in
tests/api/test_leads.py), and ``lead_mark_converted`` is the one way that sets it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import FieldHistory
from leads.models import Lead
from leads.services import CONVERTED_STATUS_BY_CONVERTING, lead_mark_converted, lead_update
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


# Services ----------------------------------------------------------------------------------------


def test_update_refuses_a_converted_status(rep):
    lead = LeadFactory(owner_user=rep, status="Working")

    with pytest.raises(ValidationError) as exc_info:
        lead_update(lead=lead, data={"status": "Qualified"}, acting_user=rep)

    assert exc_info.value.message_dict == {"status": [str(CONVERTED_STATUS_BY_CONVERTING)]}
    lead.refresh_from_db()
    assert (lead.status, lead.is_converted) == ("Working", False)


def test_a_lead_that_already_has_a_converted_status_can_still_be_edited(rep):
    # given a lead that got "Qualified" before the rule existed
    lead = LeadFactory(owner_user=rep, status="Qualified")

    # when another field changes, then the kept status is no reason to refuse the save
    lead = lead_update(lead=lead, data={"title": "Buyer", "status": "Qualified"}, acting_user=rep)

    assert (lead.title, lead.status) == ("Buyer", "Qualified")


def test_mark_converted_sets_the_status_with_history(rep):
    lead = LeadFactory(owner_user=rep, status="Working")

    marked = lead_mark_converted(lead=lead, status="Qualified", acting_user=rep, note="Converted to account Acme")

    lead.refresh_from_db()
    assert (lead.status, lead.is_converted, lead.version) == ("Qualified", True, 2)
    assert lead.converted_at == marked.converted_at is not None
    rows = {h.field_name: h for h in FieldHistory.objects.filter(object_name="lead", record_id=lead.pk)}
    assert (rows["status"].old_value, rows["status"].new_value) == ("Working", "Qualified")
    assert rows["is_converted"].note == "Converted to account Acme"


def test_mark_converted_takes_only_a_converted_status_and_only_once(rep):
    lead = LeadFactory(owner_user=rep, status="Working")

    with pytest.raises(ValidationError) as not_converted:
        lead_mark_converted(lead=lead, status="Nurturing", acting_user=rep)
    lead_mark_converted(lead=lead, status="Qualified", acting_user=rep)
    with pytest.raises(ValidationError) as twice:
        lead_mark_converted(lead=lead, status="Qualified", acting_user=rep)

    assert "converted_status" in not_converted.value.message_dict
    assert twice.value.messages == ["This lead has already been converted."]


def test_mark_converted_checks_access(rep, other_rep):
    lead = LeadFactory(owner_user=other_rep, status="Working")

    with pytest.raises(PermissionError):
        lead_mark_converted(lead=lead, status="Qualified", acting_user=rep)

    lead.refresh_from_db()
    assert lead.is_converted is False


# Pages -------------------------------------------------------------------------------------------


def test_edit_form_does_not_offer_a_converted_status_and_refuses_it(rep_client, rep):
    lead = LeadFactory(owner_user=rep, status="Working")

    page = rep_client.get(reverse("leads:edit", args=[lead.pk]))
    response = rep_client.post(
        reverse("leads:edit", args=[lead.pk]),
        {"last_name": lead.last_name, "company": lead.company, "status": "Qualified", "version": lead.version},
    )

    offered = [value for value, _label in page.context["form"].fields["status"].choices]
    assert "Working" in offered
    assert "Qualified" not in offered
    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    assert Lead.objects.get(pk=lead.pk).status == "Working"


def test_the_form_still_shows_the_converted_status_a_lead_has(rep_client, system_admin):
    # a converted lead, opened by someone allowed to edit converted leads, keeps its status choice
    lead = LeadFactory(owner_user=system_admin, status="Qualified", is_converted=True, converted_at=timezone.now())
    rep_client.force_login(system_admin)

    page = rep_client.get(reverse("leads:edit", args=[lead.pk]))

    assert "Qualified" in [value for value, _label in page.context["form"].fields["status"].choices]


def test_status_path_refuses_a_converted_status_and_offers_convert(rep_client, rep):
    lead = LeadFactory(owner_user=rep, status="Working")

    # when the path is asked to set "Qualified" directly
    response = rep_client.post(
        reverse("leads:set_status", args=[lead.pk]), {"status": "Qualified", "version": lead.version}, follow=True
    )

    # then the lead keeps its status, the page says why and its path leads to the convert page
    assert Lead.objects.get(pk=lead.pk).status == "Working"
    body = response.content.decode()
    assert "A converted status is set by converting the lead" in body
    assert f'href="{reverse("conversion:convert", args=[lead.pk])}"' in body
    assert 'data-testid="path-convert"' in body


def test_mass_change_status_refuses_a_converted_status(rep_client, rep):
    leads = [LeadFactory(owner_user=rep, status="Working") for _ in range(2)]

    response = rep_client.post(
        reverse("leads:mass_action"),
        {"action": "change_status", "status": "Qualified", "ids": [lead.pk for lead in leads]},
        follow=True,
    )

    assert set(Lead.objects.values_list("status", flat=True)) == {"Working"}
    assert "A converted status is set by converting the lead" in response.content.decode()
