"""User administration: invitations, roles, deactivation and permission sets."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.models import ApiToken
from core.roles import EXPORT_RECORDS, MARKETING_ADMIN, SALES_REP, SYSTEM_ADMIN, VIEW_CONVERTED_LEADS
from core.tokens import api_token_create
from emails.models import OutboundEmail
from users import services
from users.models import PermissionSet, UserAuditEntry

pytestmark = pytest.mark.django_db
User = get_user_model()


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_an_invited_user_gets_a_link_to_choose_a_password(system_admin, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_invite(
            email="Nina@Example.com", first_name="Nina", last_name="New", role=SALES_REP, acting_user=system_admin
        )

    assert user.is_active
    assert not user.has_usable_password()
    assert user.username == "nina@example.com"
    assert services.role_of(user) == SALES_REP
    email = OutboundEmail.objects.get(to_address="Nina@Example.com")
    link = re.search(r"https?://\S+|/password-reset/\S+", email.body_text).group(0)
    path = link[link.index("/password-reset/") :]

    # the link lets the user choose a password and sign in with it
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_url, {"new_password1": "Sunny-Orchard-42", "new_password2": "Sunny-Orchard-42"})
    assert response.status_code == 302
    assert _fresh(user).check_password("Sunny-Orchard-42")
    assert UserAuditEntry.objects.filter(user=user, action="invited", acting_user=system_admin).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email", "last_name": "X"}, "email"),
        ({"email": "", "last_name": "X"}, "email"),
        ({"email": "a@example.com", "last_name": ""}, "last_name"),
        ({"email": "a@example.com", "last_name": "X", "role": "Emperor"}, "role"),
        ({"email": "a@example.com", "last_name": "X", "username": "bad name!"}, "username"),
    ],
)
def test_a_bad_invitation_names_the_field_and_writes_nothing(system_admin, data, field):
    with pytest.raises(ValidationError) as exc:
        services.user_invite(acting_user=system_admin, **data)

    assert field in exc.value.message_dict
    assert not User.objects.filter(email=data["email"]).exists() or data["email"] == ""
    assert not OutboundEmail.objects.exists()


def test_an_email_or_username_already_used_is_refused(system_admin, rep):
    rep.email = "riley@example.com"
    rep.save()

    with pytest.raises(ValidationError) as exc:
        services.user_invite(email="RILEY@example.com", last_name="X", acting_user=system_admin)
    assert "email" in exc.value.message_dict

    with pytest.raises(ValidationError) as exc:
        services.user_invite(email="x@example.com", last_name="X", username="REP", acting_user=system_admin)
    assert "username" in exc.value.message_dict


def test_only_system_admins_administer_users(marketing_admin, rep):
    with pytest.raises(PermissionError):
        services.user_invite(email="x@example.com", last_name="X", acting_user=marketing_admin)
    with pytest.raises(PermissionError):
        services.user_deactivate(user=rep, acting_user=marketing_admin)
    with pytest.raises(PermissionError):
        services.permission_set_create(name="X", acting_user=rep)


def test_changing_a_role_replaces_the_old_one_and_is_audited(system_admin, rep):
    services.user_update(
        user=rep,
        first_name="Riley",
        last_name="Rep",
        email="r@example.com",
        role=MARKETING_ADMIN,
        acting_user=system_admin,
    )

    rep = _fresh(rep)
    assert services.role_of(rep) == MARKETING_ADMIN
    assert list(rep.groups.values_list("name", flat=True)) == [MARKETING_ADMIN]
    entry = UserAuditEntry.objects.get(user=rep, action="role_changed")
    assert entry.detail == {"old": SALES_REP, "new": MARKETING_ADMIN}


def test_a_system_admin_keeps_their_own_role_and_the_last_one_stays(system_admin):
    with pytest.raises(ValidationError) as exc:
        services.user_update(
            user=system_admin,
            first_name="S",
            last_name="S",
            email="s@example.com",
            role=SALES_REP,
            acting_user=system_admin,
        )
    assert "role" in exc.value.message_dict
    assert services.role_of(_fresh(system_admin)) == SYSTEM_ADMIN


def test_deactivating_ends_sign_in_and_api_tokens(system_admin, rep, client, api):
    rep.set_password("Secret-pass-123")
    rep.save()
    _token, key = api_token_create(user=rep)

    services.user_deactivate(user=rep, acting_user=system_admin)

    assert not _fresh(rep).is_active
    assert not ApiToken.objects.filter(user=rep).exists()
    assert not client.login(username="rep", password="Secret-pass-123")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/leads/").status_code == 401

    services.user_reactivate(user=rep, acting_user=system_admin)
    assert client.login(username="rep", password="Secret-pass-123")


def test_nobody_deactivates_themselves_or_the_last_system_admin(system_admin, db):
    with pytest.raises(ValidationError):
        services.user_deactivate(user=system_admin, acting_user=system_admin)
    assert _fresh(system_admin).is_active


def test_a_permission_set_grants_its_permissions_on_top_of_the_role(system_admin, rep):
    assert not rep.has_perm(EXPORT_RECORDS)
    export = PermissionSet.objects.get(key="export")

    services.user_permission_sets_set(user=rep, permission_sets=[export], acting_user=system_admin)
    assert _fresh(rep).has_perm(EXPORT_RECORDS)
    assert services.role_of(_fresh(rep)) == SALES_REP

    services.user_permission_sets_set(user=rep, permission_sets=[], acting_user=system_admin)
    assert not _fresh(rep).has_perm(EXPORT_RECORDS)
    actions = list(UserAuditEntry.objects.filter(user=rep).values_list("detail", flat=True))
    assert {"added": ["Export"], "removed": []} in actions
    assert {"added": [], "removed": ["Export"]} in actions


def test_the_standard_sets_exist_and_cannot_be_deleted(system_admin):
    assert set(PermissionSet.objects.exclude(key="").values_list("key", flat=True)) >= {
        "view-edit-converted-leads",
        "export",
        "manage-campaigns",
    }
    converted = PermissionSet.objects.get(key="view-edit-converted-leads")
    assert services.permission_codenames(converted) == [VIEW_CONVERTED_LEADS]
    with pytest.raises(ValidationError):
        services.permission_set_delete(permission_set=converted, acting_user=system_admin)


def test_a_custom_set_is_made_changed_and_deleted(system_admin, rep):
    permission_set = services.permission_set_create(
        name="Cleanup crew", permissions=[EXPORT_RECORDS], acting_user=system_admin
    )
    services.permission_set_assign(permission_set=permission_set, users=[rep], acting_user=system_admin)
    assert _fresh(rep).has_perm(EXPORT_RECORDS)

    services.permission_set_update(
        permission_set=permission_set, name="Cleanup Crew", permissions=[VIEW_CONVERTED_LEADS], acting_user=system_admin
    )
    rep = _fresh(rep)
    assert not rep.has_perm(EXPORT_RECORDS)
    assert rep.has_perm(VIEW_CONVERTED_LEADS)

    services.permission_set_delete(permission_set=permission_set, acting_user=system_admin)
    assert not _fresh(rep).has_perm(VIEW_CONVERTED_LEADS)
    assert not PermissionSet.objects.filter(name="Cleanup Crew").exists()


def test_names_are_unique_whatever_the_case_and_permissions_must_be_known(system_admin):
    with pytest.raises(ValidationError) as exc:
        services.permission_set_create(name="EXPORT", acting_user=system_admin)
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.permission_set_create(name="Root", permissions=["auth.add_user"], acting_user=system_admin)
    assert "permissions" in exc.value.message_dict


def test_the_database_refuses_a_second_set_with_the_same_name_in_another_case(system_admin, monkeypatch):
    services.permission_set_create(name="Night shift", acting_user=system_admin)
    monkeypatch.setattr(services, "_name_taken", lambda name, exclude_pk=None: None)

    with pytest.raises(ValidationError) as exc:
        services.permission_set_create(name="NIGHT SHIFT", acting_user=system_admin)
    assert "name" in exc.value.message_dict
