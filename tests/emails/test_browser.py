"""Real headless Chromium: an admin writes and previews a template; a rep emails a lead."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from emails.models import EmailTemplate, OutboundEmail
from emails.services import email_template_create
from tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _fields(seeded_lead_fields):
    return seeded_lead_fields


def test_admin_creates_a_template_with_a_merge_field_and_previews_it(page, login, marketing_admin, rep):
    lead = LeadFactory(first_name="<b>Ann</b>", last_name="Lee", company="Acme", owner_user=rep)
    login(marketing_admin)
    page.goto("/setup/email-templates/")
    page.get_by_role("link", name="New Template").click()
    page.wait_for_url("**/setup/email-templates/new/")

    page.fill("#id_name", "Welcome")
    page.fill("#id_subject", "Hello {{Lead.Nickname}}")
    page.fill("#id_body_text", "Hi {{Lead.FirstName|there}} from {{Lead.Company}}")
    page.fill("#id_body_html", "<p>Hi <i>{{Lead.FirstName|there}}</i></p><script>alert(1)</script>")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "Unknown merge field: {{Lead.Nickname}}" in page.content()

    page.fill("#id_subject", "Hello {{Lead.FirstName|there}}")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/setup/email-templates/*/")
    template = EmailTemplate.objects.get(name="Welcome")
    assert "script" not in template.body_html

    page.select_option("#preview-lead", str(lead.pk))
    page.get_by_role("button", name="Preview").click()
    subject = page.get_by_test_id("preview-subject")
    subject.wait_for()
    assert subject.inner_text() == "Hello <b>Ann</b>"
    assert page.get_by_test_id("preview-text").inner_text() == "Hi <b>Ann</b> from Acme"
    frame = page.frame_locator("iframe[title='HTML preview']")
    assert frame.locator("i").inner_text() == "<b>Ann</b>"


def test_rep_sends_an_email_from_the_lead_page_and_sees_it_listed(page, login, rep, marketing_admin, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    template = email_template_create(
        data={"name": "Intro", "subject": "Intro for {{Lead.FirstName}}", "body_text": "Hello {{Lead.Company}}"},
        acting_user=marketing_admin,
    )
    lead = LeadFactory(first_name="Ann", last_name="Lee", company="Acme", email="ann@example.com", owner_user=rep)
    login(rep)
    page.goto(f"/leads/{lead.pk}/")

    page.get_by_test_id("send-email").click()
    page.wait_for_url(f"**/leads/{lead.pk}/send-email/")
    page.select_option("#id_template", str(template.pk))
    page.locator("#send-email-preview", has_text="Intro for Ann").wait_for()
    assert "Hello Acme" in page.locator("#send-email-preview").inner_text()
    page.select_option("#id_template", "")
    page.fill("#id_subject", "Our call <tomorrow>")
    page.fill("#id_body_text", "Hi Ann, talk tomorrow.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**/leads/{lead.pk}/")

    assert "is on its way" in page.locator("#messages").inner_text()
    related = page.get_by_test_id("emails-related-list")
    assert related.get_by_test_id("email-subject").first.inner_text() == "Our call <tomorrow>"
    row = OutboundEmail.objects.get()
    assert (row.kind, row.to_address, row.status) == ("manual", "ann@example.com", "sent")
    assert [m.subject for m in mail.outbox] == ["Our call <tomorrow>"]


def test_admin_builds_an_auto_response_rule_on_the_shared_rule_pages(page, login, marketing_admin):
    from emails.models import AutoResponseRule

    email_template_create(
        data={"name": "Webinar thanks", "subject": "Thanks", "body_text": "See you."}, acting_user=marketing_admin
    )
    login(marketing_admin)
    page.goto("/setup/auto-response-rules/new/")
    page.fill("input[name=name]", "Webinars")
    page.click("form[data-cancel-url] button[type=submit]")
    page.get_by_test_id("new-entry").click()
    page.select_option("select[name=field_1]", "lead_source")
    page.select_option("select[name=operator_1]", "equals")
    page.fill("input[name=value_1]", "Webinar")
    page.click("[data-criteria-add]")  # a sixth criterion row, added in the page
    page.select_option("select[name=field_6]", "email")
    page.select_option("select[name=operator_6]", "is_not_blank")
    page.select_option("select[name=template]", label="Webinar thanks")
    page.click("text=Save entry")

    assert "Email is not blank" in page.get_by_test_id("entry-1").inner_text()
    page.get_by_test_id("activate-rule").click()
    expect(page.get_by_test_id("rule-active")).to_be_visible()
    assert AutoResponseRule.objects.get(name="Webinars").is_active
