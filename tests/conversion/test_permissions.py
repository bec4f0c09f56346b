"""Converted leads: only users with "View and Edit Converted Leads" open them, on every lead page
and endpoint; everyone else gets a 404 (the record page's old link leads to the conversion
summary instead), and converted leads leave every list."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from leads.models import Lead


@pytest.fixture
def converted(lead, rep, convert):
    convert(lead, rep)
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def rep_with_permission(rep):
    rep.user_permissions.add(Permission.objects.get(codename="view_edit_converted_lead"))
    rep.refresh_from_db()
    return rep


def _pages(pk):
    return [
        ("get", reverse("leads:edit", args=[pk])),
        ("post", reverse("leads:edit", args=[pk])),
        ("get", reverse("leads:inline_edit", args=[pk, "title"])),
        ("post", reverse("leads:inline_edit", args=[pk, "title"])),
        ("post", reverse("leads:set_status", args=[pk])),
        ("post", reverse("leads:note_create", args=[pk])),
        ("get", reverse("leads:change_owner", args=[pk])),
        ("post", reverse("leads:change_owner", args=[pk])),
        ("get", reverse("leads:send_email", args=[pk])),
        ("get", reverse("leads:emails", args=[pk])),
        ("get", reverse("conversion:convert", args=[pk])),
        ("post", reverse("conversion:convert", args=[pk])),
    ]


def _endpoints(pk):
    return [
        ("get", f"/api/leads/{pk}/", None),
        ("patch", f"/api/leads/{pk}/", {"title": "VP"}),
        ("put", f"/api/leads/{pk}/", {"last_name": "X", "company": "Y"}),
        ("post", f"/api/leads/{pk}/change-owner/", {"owner": "user:1"}),
        ("get", f"/api/leads/{pk}/history/", None),
        ("get", f"/api/leads/{pk}/notes/", None),
        ("post", f"/api/leads/{pk}/notes/", {"body": "Hello"}),
        ("post", f"/api/leads/{pk}/convert/", {}),
    ]


def test_owner_without_the_permission_gets_404_on_every_page(client, converted, rep):
    client.force_login(rep)

    answers = {url + method: getattr(client, method)(url).status_code for method, url in _pages(converted.pk)}
    record_page = client.get(reverse("leads:detail", args=[converted.pk]))

    assert set(answers.values()) == {404}, answers
    assert record_page.status_code == 302
    assert record_page["Location"] == reverse("conversion:converted", args=[converted.pk])


def test_owner_without_the_permission_gets_404_on_every_endpoint(converted, rep):
    api = APIClient()
    api.force_authenticate(rep)

    answers = {
        url + method: getattr(api, method)(url, body, format="json").status_code
        for method, url, body in _endpoints(converted.pk)
    }

    assert set(answers.values()) == {404}, answers


def test_admin_without_the_permission_gets_404_too(client, converted, marketing_admin):
    client.force_login(marketing_admin)
    api = APIClient()
    api.force_authenticate(marketing_admin)

    assert client.get(reverse("leads:edit", args=[converted.pk])).status_code == 404
    assert client.get(reverse("leads:detail", args=[converted.pk]))["Location"] == reverse(
        "conversion:converted", args=[converted.pk]
    )
    assert api.get(f"/api/leads/{converted.pk}/").status_code == 404


def test_converted_leads_leave_every_list(client, converted, rep_with_permission):
    client.force_login(rep_with_permission)
    api = APIClient()
    api.force_authenticate(rep_with_permission)

    for view in ("my", "all", "today", "recent"):
        body = client.get(reverse("leads:list"), {"view": view}).content.decode()
        assert reverse("leads:detail", args=[converted.pk]) not in body
    ids = [row["id"] for row in api.get("/api/leads/").json()["results"]]
    assert converted.pk not in ids


def test_user_with_the_permission_opens_the_converted_lead_with_its_records(client, converted, rep_with_permission):
    client.force_login(rep_with_permission)
    conversion = converted.conversion

    response = client.get(reverse("leads:detail", args=[converted.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="converted-banner"' in body
    assert reverse("sales:account_detail", args=[conversion.account_id]) in body
    assert reverse("sales:contact_detail", args=[conversion.contact_id]) in body
    assert reverse("sales:opportunity_detail", args=[conversion.opportunity_id]) in body
    assert 'data-testid="convert-lead"' not in body


def test_user_with_the_permission_reads_and_edits_it_through_the_api(converted, rep_with_permission):
    api = APIClient()
    api.force_authenticate(rep_with_permission)

    read = api.get(f"/api/leads/{converted.pk}/")
    history = api.get(f"/api/leads/{converted.pk}/history/")
    edit = api.patch(f"/api/leads/{converted.pk}/", {"title": "VP Engineering"}, format="json")

    assert read.status_code == 200
    assert read.json()["is_converted"] is True
    assert history.status_code == 200
    assert edit.status_code == 200
    assert Lead.objects.get(pk=converted.pk).title == "VP Engineering"


def test_converting_again_is_refused_for_users_who_may_open_it(client, converted, system_admin):
    client.force_login(system_admin)
    api = APIClient()
    api.force_authenticate(system_admin)

    page = client.get(reverse("conversion:convert", args=[converted.pk]))
    answer = api.post(f"/api/leads/{converted.pk}/convert/", {}, format="json")

    assert page.status_code == 302
    assert page["Location"] == reverse("conversion:converted", args=[converted.pk])
    assert answer.status_code == 400
    assert "already been converted" in str(answer.json())


def test_convert_button_only_for_users_who_may_edit_an_unconverted_lead(client, lead, rep, other_rep):
    from core.models import OrgSettings

    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": "public_read"})
    url = reverse("leads:detail", args=[lead.pk])

    client.force_login(rep)
    mine = client.get(url).content.decode()
    client.force_login(other_rep)
    theirs = client.get(url).content.decode()

    assert reverse("conversion:convert", args=[lead.pk]) in mine
    assert reverse("conversion:convert", args=[lead.pk]) not in theirs
