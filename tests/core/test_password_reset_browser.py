"""Real headless Chromium: a user who forgot their password resets it by email and logs in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_forgotten_password_is_reset_through_the_emailed_link(page, live_server, rep, settings):
    settings.SITE_URL = live_server.url
    rep.email = "riley@example.com"
    rep.save()

    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/password-reset/")
    page.fill("#id_email", "riley@example.com")
    page.get_by_role("button", name="Email me a reset link").click()
    page.wait_for_url("**/password-reset/sent/")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    [message] = mail.outbox
    link = re.search(r"https?://\S+/password-reset/\S+/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.fill("#id_new_password1", "brand-new-pass-789")
    page.fill("#id_new_password2", "brand-new-pass-789")
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/password-reset/done/")
    page.get_by_role("link", name="Log in").click()

    page.fill("input[name=username]", "rep")
    page.fill("input[name=password]", "brand-new-pass-789")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_test_id("user-menu")).to_be_visible()
