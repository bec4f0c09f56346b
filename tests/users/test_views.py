"""Setup → Users and Permission Sets pages."""

import pytest
from django.urls import reverse

from core.roles import EXPORT_RECORDS
from users.models import PermissionSet

pytestmark = pytest.mark.django_db


def test_the_pages_are_for_system_admins(client, marketing_admin, rep):
    for user in (rep, marketing_admin):
        client.force_login(user)
        assert client.get(reverse("users:user_list")).status_code == 403
        assert client.get(reverse("users:permission_set_list")).status_code == 403


def test_the_user_list_shows_roles_and_permission_sets_in_few_queries(
    client, system_admin, marketing_admin, rep, django_assert_max_num_queries
):
    export = PermissionSet.objects.get(key="export")
    export.group.user_set.add(rep)
    client.force_login(system_admin)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("users:user_list")).content.decode()

    assert "Riley Rep" in page
    assert "Marketing admin" in page
    assert "System admin" in page
    assert export.name in page


def test_an_invitation_with_a_bad_email_shows_the_error(client, system_admin):
    client.force_login(system_admin)

    response = client.post(reverse("users:user_invite"), {"email": "nope", "last_name": "X", "role": "Sales rep"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_assigning_a_permission_set_from_the_user_page(client, system_admin, rep):
    export = PermissionSet.objects.get(key="export")
    client.force_login(system_admin)

    response = client.post(reverse("users:user_permission_sets", args=[rep.pk]), {"permission_sets": [export.pk]})

    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.has_perm(EXPORT_RECORDS)
    page = client.get(reverse("users:user_detail", args=[rep.pk])).content.decode()
    assert "Permission sets changed" in page


def test_deactivating_yourself_is_refused_with_a_message(client, system_admin):
    client.force_login(system_admin)

    response = client.post(reverse("users:user_deactivate", args=[system_admin.pk]), follow=True)

    assert "You can&#x27;t deactivate yourself." in response.content.decode()
    system_admin.refresh_from_db()
    assert system_admin.is_active


def test_report_exports_need_the_export_permission(client, api, rep, marketing_admin):
    path = "/reports/leads-created/export.csv"
    client.force_login(rep)
    assert client.get(path).status_code == 403
    assert "export-csv" not in client.get("/reports/leads-created/").content.decode()
    assert api.as_user(rep).get("/api/reports/leads-created/export.csv").status_code == 403

    PermissionSet.objects.get(key="export").group.user_set.add(rep)
    client.force_login(rep)
    assert client.get(path).status_code == 200

    client.force_login(marketing_admin)
    assert client.get(path).status_code == 200


def test_manage_campaigns_lets_a_rep_create_a_campaign(client, rep):
    client.force_login(rep)
    assert client.get("/campaigns/new/").status_code == 403

    PermissionSet.objects.get(key="manage-campaigns").group.user_set.add(rep)
    client.force_login(rep)
    assert client.get("/campaigns/new/").status_code == 200
