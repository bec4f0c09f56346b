"""Security basics: deployment checks, login throttling, login/logout pages, escaping of typed text."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from core import services
from core.models import PicklistValue

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-pass-123"


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "TEST_DB_NAME"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "crm.example.com",
            "SITE_URL": "https://crm.example.com",
            "LEADCRM_VAR_DIR": str(tmp_path),
        }
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_catches_a_weak_secret_key(tmp_path):
    """The check above would pass vacuously if --deploy checked nothing: a short key is reported."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "too-short",
            "DJANGO_ALLOWED_HOSTS": "crm.example.com",
            "LEADCRM_VAR_DIR": str(tmp_path),
        }
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


# Login throttling ---------------------------------------------------------------------------------


def _login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_failures_from_other_addresses_do_not_lock_the_account_out(client, rep, settings):
    """Anyone could otherwise lock a colleague out by typing wrong passwords for their name."""
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 5
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 100
    for _ in range(8):
        response = _login(client, "rep", "wrong", address="10.0.0.66")
    assert "Too many failed logins" in response.content.decode()

    response = _login(client, "rep", PASSWORD, address="10.0.0.99")

    assert response.status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
def test_sixth_try_from_the_same_address_waits_even_with_the_right_password(client, rep, settings):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 5
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 100
    for _ in range(5):
        response = _login(client, "rep", "wrong", address="10.0.0.7")
        assert "Please enter a correct username and password" in response.content.decode()

    response = _login(client, "REP", PASSWORD, address="10.0.0.7")

    assert response.status_code == 200
    assert "Too many failed logins. Try again in" in response.content.decode()
    assert not _logged_in(client)


@pytest.mark.django_db
def test_failures_from_one_address_across_usernames_are_blocked(client, rep, settings):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 100
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 5
    for name in ("alice", "bob", "carol", "dave", "erin"):
        _login(client, name, "guess", address="192.0.2.7")

    blocked = _login(client, "rep", PASSWORD, address="192.0.2.7")
    assert "Too many failed logins" in blocked.content.decode()
    assert not _logged_in(client)

    elsewhere = _login(client, "rep", PASSWORD, address="198.51.100.1")
    assert elsewhere.status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
def test_a_success_resets_the_account_counter(client, rep, settings):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 5
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 100
    for _ in range(4):
        _login(client, "rep", "wrong")
    assert _login(client, "rep", PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        _login(client, "rep", "wrong")
    response = _login(client, "rep", PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


# Login and logout pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_logs_in_and_logout_says_so(client, rep):
    page = client.get(reverse("login")).content.decode()
    assert 'autocomplete="current-password"' in page
    assert "autofocus" in page

    response = client.post(reverse("login"), {"username": "rep", "password": PASSWORD, "next": "/setup/fields/"})
    assert response.status_code == 302
    assert response.url == "/setup/fields/"

    response = client.post(reverse("logout"), follow=True)
    assert response.request["PATH_INFO"] == reverse("login")
    assert "You are logged out." in response.content.decode()
    assert not _logged_in(client)


@pytest.mark.django_db
def test_login_refuses_an_external_next_url(client, rep):
    response = client.post(reverse("login"), {"username": "rep", "password": PASSWORD, "next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response.url


@pytest.mark.django_db
def test_logout_needs_a_post(client, rep):
    client.force_login(rep)

    assert client.get(reverse("logout")).status_code == 405
    assert _logged_in(client)


# Escaping -------------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


@pytest.mark.django_db
def test_typed_text_is_shown_escaped_on_the_setup_pages(client, marketing_admin):
    value = services.picklist_value_create(
        object_name="lead", field_name="lead_source", label=f"Src {SCRIPT}", acting_user=marketing_admin
    )
    services.custom_field_create(
        object_name="lead",
        label=f"Field {SCRIPT}",
        api_name="Evil",
        field_type="picklist",
        picklist_values=[f"Opt {SCRIPT}"],
        help_text=f"Help {SCRIPT}",
        description=f"Desc {SCRIPT}",
        requested_by=f"Req {SCRIPT}",
        purpose=f"Purpose {SCRIPT}",
        acting_user=marketing_admin,
    )
    client.force_login(marketing_admin)
    urls = [
        reverse("core:picklist_list"),
        reverse("core:picklist_detail", args=["lead", "lead_source"]),
        reverse("core:picklist_detail", args=["lead", "Evil__c"]),
        reverse("core:picklist_value_edit", args=[value.pk]),
        reverse("core:picklist_value_delete", args=[value.pk]),
        reverse("core:field_list"),
        reverse("core:field_detail", args=["lead", "Evil__c"]),
        reverse("core:field_edit", args=["lead", "Evil__c"]),
    ]

    for url in urls:
        page = client.get(url).content.decode()
        assert SCRIPT not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url

    htmx = client.post(
        reverse("core:picklist_value_move", args=[value.pk]), {"direction": "up"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert SCRIPT not in htmx
    assert "&lt;script&gt;" in htmx


@pytest.mark.django_db
def test_error_messages_with_typed_text_are_escaped(client, marketing_admin):
    PicklistValue.objects.create(object_name="lead", field_name="rating", api_name=SCRIPT, label=SCRIPT, sort_order=9)
    client.force_login(marketing_admin)

    response = client.post(reverse("core:picklist_value_create", args=["lead", "rating"]), {"label": SCRIPT})

    page = response.content.decode()
    assert response.status_code == 400
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;” is already used" in page
