"""Mass actions carry the version of each row the user saw: a lead changed by someone else since
the list was shown is skipped and reported, never overwritten."""

import pytest
from django.urls import reverse

from leads.forms import seen_versions
from leads.models import Lead
from leads.services import lead_mass_change_owner, lead_mass_change_status, lead_update
from tests.factories import LeadFactory, QueueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def test_the_list_carries_each_rows_version(rep_client, rep):
    lead = LeadFactory(owner_user=rep, version=3)

    body = rep_client.get(reverse("leads:list"), {"view": "my"}).content.decode()

    assert f'name="versions" value="{lead.pk}:3"' in body


def test_mass_change_status_skips_a_lead_changed_since_it_was_seen(rep_client, rep, other_rep):
    # given two leads listed at version 1, one of which a colleague then edits
    fresh, changed = LeadFactory(owner_user=rep, status="New"), LeadFactory(owner_user=rep, status="New")
    seen = [f"{fresh.pk}:1", f"{changed.pk}:1"]
    lead_update(lead=changed, data={"status": "Nurturing"}, acting_user=rep)

    # when the rep changes the status of both from the list they saw
    response = rep_client.post(
        reverse("leads:mass_action"),
        {"action": "change_status", "status": "Working", "ids": [fresh.pk, changed.pk], "versions": seen},
        follow=True,
    )

    # then only the unchanged lead moves, and the page says why the other did not
    assert Lead.objects.get(pk=fresh.pk).status == "Working"
    assert Lead.objects.get(pk=changed.pk).status == "Nurturing"
    body = response.content.decode()
    assert "Changed the status of 1 lead." in body
    assert "1 skipped because someone else changed it after you opened the list" in body


def test_mass_change_owner_skips_a_lead_changed_since_it_was_seen(rep_client, rep):
    fresh, changed = LeadFactory(owner_user=rep), LeadFactory(owner_user=rep)
    seen = [f"{fresh.pk}:1", f"{changed.pk}:1"]
    lead_update(lead=changed, data={"title": "Buyer"}, acting_user=rep)
    queue = QueueFactory(name="Follow-up")

    rep_client.post(
        reverse("leads:mass_action"),
        {"action": "change_owner", "owner": f"queue:{queue.pk}", "ids": [fresh.pk, changed.pk], "versions": seen},
    )

    assert Lead.objects.get(pk=fresh.pk).owner_queue == queue
    assert Lead.objects.get(pk=changed.pk).owner_user == rep


def test_services_count_what_was_changed_since(rep):
    leads = [LeadFactory(owner_user=rep, status="New") for _ in range(3)]
    lead_update(lead=leads[0], data={"title": "Buyer"}, acting_user=rep)
    versions = {lead.pk: 1 for lead in leads}
    queue = QueueFactory(name="Follow-up")

    by_status = lead_mass_change_status(
        lead_ids=[lead.pk for lead in leads], status="Working", acting_user=rep, versions=versions
    )
    # the status change moved leads 1 and 2 to version 2; the owner change saw version 1 of all three
    by_owner = lead_mass_change_owner(
        lead_ids=[lead.pk for lead in leads], owner=queue, acting_user=rep, versions=versions
    )

    assert (by_status.updated, by_status.skipped, by_status.changed_since) == (2, 1, 1)
    assert (by_owner.updated, by_owner.skipped, by_owner.changed_since) == (0, 3, 3)


def test_without_versions_the_mass_action_is_unchecked_as_before(rep):
    lead = LeadFactory(owner_user=rep, status="New")
    lead_update(lead=lead, data={"title": "Buyer"}, acting_user=rep)

    result = lead_mass_change_status(lead_ids=[lead.pk], status="Working", acting_user=rep)

    assert (result.updated, result.changed_since) == (1, 0)


def test_malformed_versions_are_ignored():
    from django.http import QueryDict

    data = QueryDict("versions=12:3&versions=x:1&versions=7&versions=8:-1&versions=9:4")

    assert seen_versions(data) == {12: 3, 9: 4}


def test_the_mass_status_dialog_does_not_offer_a_converted_status(rep_client, rep):
    LeadFactory(owner_user=rep)

    response = rep_client.get(reverse("leads:list"), {"view": "my"})

    offered = [v.api_name for v in response.context["status_choices"]]
    assert "Working" in offered
    assert "Qualified" not in offered
