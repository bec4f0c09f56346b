"""Real headless Chromium: a system admin invites a user and gives them a permission set; the new
user opens the emailed link, chooses a password and signs in."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from core.roles import EXPORT_RECORDS, ensure_roles
from emails.models import OutboundEmail
from users.services import standard_permission_sets_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _roles_and_sets(transactional_db):
    ensure_roles()
    standard_permission_sets_ensure()


def test_an_admin_invites_a_user_who_chooses_a_password_and_signs_in(page, login, system_admin):
    login(system_admin)

    page.goto("/setup/users/")
    page.get_by_test_id("invite-user").click()
    page.fill("#id_first_name", "Nora")
    page.fill("#id_last_name", "Novak")
    page.fill("#id_email", "nora@example.com")
    page.select_option("#id_role", "Sales rep")
    page.get_by_label("Export").check()
    page.get_by_test_id("save-user").click()

    expect(page.get_by_test_id("record-name")).to_have_text("Nora Novak")
    expect(page.get_by_text("Invitation pending")).to_be_visible()
    expect(page.get_by_test_id("user-role")).to_have_text("Sales rep")
    nora = get_user_model().objects.get(email="nora@example.com")
    assert nora.has_perm(EXPORT_RECORDS)

    # the invitation went to the outbox; Nora opens its link in a fresh browser session
    body = OutboundEmail.objects.get(to_address="nora@example.com").body_text
    path = re.search(r"/password-reset/\S+", body).group(0)
    page.context.clear_cookies()
    page.goto(path)
    page.fill("input[name=new_password1]", "Maple-Harbour-58")
    page.fill("input[name=new_password2]", "Maple-Harbour-58")
    page.click("button[type=submit]")
    page.wait_for_url("**/password-reset/done/")

    nora.refresh_from_db()
    login(nora, password="Maple-Harbour-58")
    expect(page.locator("body")).not_to_contain_text("Please enter a correct username")


def test_an_admin_deactivates_a_user_from_their_page(page, login, system_admin, rep):
    login(system_admin)
    page.goto(f"/setup/users/{rep.pk}/")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("deactivate-user").click()

    expect(page.get_by_test_id("reactivate-user")).to_be_visible()
    rep.refresh_from_db()
    assert not rep.is_active
