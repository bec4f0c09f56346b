"""Duplicate jobs that include contacts: the leads are compared with the contacts (a group lists
the contacts like its leads) and the contacts among themselves; merging stays for leads, and the
pages and the API show the contacts of a group with links."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dedupe import services
from dedupe.models import DuplicateGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_lead, make_contact):
    """Ada as two leads and a contact; Bob as a lead and a contact; Cy as two contacts; Dee alone."""
    return {
        "ada_leads": [make_lead(email="ada@example.net"), make_lead(email="ADA+2@example.net")],
        "ada_contact": make_contact(first_name="Ada", last_name="Lovelace", email="ada@example.net"),
        "bob_lead": make_lead(email="bob@example.net"),
        "bob_contact": make_contact(first_name="Bob", last_name="Babbage", email="bob+crm@example.net"),
        "cy_contacts": [make_contact(email="cy@example.net"), make_contact(email="Cy@example.net")],
        "dee": make_lead(email="dee@example.net"),
    }


def _groups(job) -> set:
    return {
        (g.key_lead_id, g.key_contact_id, tuple(g.lead_ids), tuple(g.contact_ids))
        for g in DuplicateGroup.objects.filter(job=job)
    }


def test_a_job_with_contacts_groups_leads_with_contacts_and_contacts_among_themselves(system_admin, email_rule, people):
    ada, ada2 = people["ada_leads"]
    cy1, cy2 = people["cy_contacts"]
    job = services.duplicate_job_start(matching_rule=email_rule, acting_user=system_admin, include_contacts=True)
    assert job.total == 8

    job = services.duplicate_job_run(job_id=job.pk)

    assert (job.status, job.scanned, job.groups_found) == ("done", 8, 3)
    assert _groups(job) == {
        (ada.pk, None, (ada.pk, ada2.pk), (people["ada_contact"].pk,)),
        (people["bob_lead"].pk, None, (people["bob_lead"].pk,), (people["bob_contact"].pk,)),
        (None, cy1.pk, (), (cy1.pk, cy2.pk)),
    }
    # Run again: nothing is recorded twice.
    services.duplicate_job_run(job_id=job.pk)
    assert DuplicateGroup.objects.filter(job=job).count() == 3


def test_a_job_without_contacts_groups_leads_only(system_admin, email_rule, people):
    ada, ada2 = people["ada_leads"]
    job = services.duplicate_job_start(matching_rule=email_rule, acting_user=system_admin)
    assert (job.include_contacts, job.total) == (False, 4)

    job = services.duplicate_job_run(job_id=job.pk)

    assert _groups(job) == {(ada.pk, None, (ada.pk, ada2.pk), ())}


def test_a_rule_matching_leads_only_cannot_scan_contacts(system_admin):
    rule = services.matching_rule_create(
        data={"name": "Leads by email", "email": "exact", "include_contacts": False}, acting_user=system_admin
    )
    with pytest.raises(ValidationError) as raised:
        services.duplicate_job_start(matching_rule=rule, acting_user=system_admin, include_contacts=True)
    assert "include_contacts" in raised.value.message_dict


def test_the_job_page_shows_a_groups_contacts_with_links_and_merges_leads_only(
    client, system_admin, email_rule, people
):
    ada, ada2 = people["ada_leads"]
    client.force_login(system_admin)
    response = client.post(
        reverse("dedupe:job_list"), {"matching_rule": email_rule.pk, "include_contacts": "1"}, follow=True
    )
    job = response.context["job"]
    assert job.include_contacts is True
    services.duplicate_job_run(job_id=job.pk)

    html = client.get(reverse("dedupe:job_detail", args=[job.pk])).content.decode()

    assert html.count('data-testid="duplicate-group"') == 3
    assert 'data-testid="contacts-note"' in html
    assert "Merging combines leads only" in html
    for contact in (people["ada_contact"], people["bob_contact"], *people["cy_contacts"]):
        assert reverse("sales:contact_detail", args=[contact.pk]) in html
    # Only Ada's two leads can be merged; the contacts are never in a merge link.
    assert f"ids={ada.pk},{ada2.pk}" in html
    assert html.count("/duplicates/merge/?ids=") == 1
    assert "Contacts are not merged here" in html


def test_the_job_page_refuses_contacts_for_a_rule_matching_leads_only(client, system_admin):
    rule = services.matching_rule_create(
        data={"name": "Leads by email", "email": "exact", "include_contacts": False}, acting_user=system_admin
    )
    client.force_login(system_admin)
    response = client.post(reverse("dedupe:job_list"), {"matching_rule": rule.pk, "include_contacts": "1"})
    assert response.status_code == 200
    assert "compares leads only" in response.content.decode()
    assert not rule.jobs.exists()


def test_the_api_starts_a_job_with_contacts_and_lists_the_contacts_a_user_may_read(
    api, system_admin, rep, email_rule, people
):
    response = api.as_user(system_admin).post(
        "/api/duplicate-jobs/", {"matching_rule": email_rule.pk, "include_contacts": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["include_contacts"] is True
    services.duplicate_job_run(job_id=response.json()["id"])

    groups = api.as_user(system_admin).get(f"/api/duplicate-jobs/{response.json()['id']}/groups/").json()

    by_key = {(g["key_lead_id"], g["key_contact_id"]): g for g in groups}
    cy1, cy2 = people["cy_contacts"]
    assert by_key[(None, cy1.pk)]["contact_ids"] == [cy1.pk, cy2.pk]
    assert by_key[(None, cy1.pk)]["lead_ids"] == []
    ada = people["ada_leads"][0]
    assert by_key[(ada.pk, None)]["contact_ids"] == [people["ada_contact"].pk]


def test_the_api_refuses_a_job_input_it_cannot_read(api, system_admin):
    response = api.as_user(system_admin).post("/api/duplicate-jobs/", {"matching_rule": "x"}, format="json")
    assert response.status_code == 400
    assert "matching_rule" in response.json()
