"""Real headless Chromium: a marketing admin selects leads on the lead list, sends them a list
email after a preview, and watches the progress bar reach 100%."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from emails.services import email_template_create
from listemail.models import ListEmailSend
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    seed_fields("leads")


def test_admin_sends_a_list_email_to_a_selection(page, login, marketing_admin):
    template = email_template_create(
        data={
            "name": "Autumn News",
            "subject": "Autumn news",
            "body_text": "Hi {{Lead.FirstName}}",
            "is_marketing": True,
        },
        acting_user=marketing_admin,
    )
    ada = LeadFactory(owner_user=marketing_admin, first_name="Ada", email="ada@example.com")
    out = LeadFactory(owner_user=marketing_admin, first_name="Otto", email="otto@example.com", email_opt_out=True)
    login(marketing_admin)

    page.goto("/leads/?view=all")
    for lead in (ada, out):
        page.locator(f"input.lead-select[value='{lead.pk}']").check()
    page.get_by_test_id("mass-list-email").click()
    page.wait_for_url("**/list-emails/new/")
    page.select_option("#id_template", str(template.pk))
    page.get_by_test_id("list-email-preview").click()
    expect(page.get_by_test_id("recipient-count")).to_have_text("1 recipient")
    expect(page.get_by_test_id("skipped")).to_contain_text("Opted out of email")
    expect(page.get_by_test_id("skipped")).to_contain_text("Otto")
    page.get_by_test_id("list-email-send").click()

    page.wait_for_url(re.compile(r".*/list-emails/\d+/$"))
    expect(page.get_by_test_id("progress-bar")).to_have_text("100%")
    expect(page.get_by_test_id("send-status")).to_have_text("Done")
    expect(page.get_by_test_id("sent-count")).to_have_text("1")
    assert ListEmailSend.objects.get().total == 1
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_admin_sends_a_list_email_to_a_campaigns_leads_and_contacts(page, login, marketing_admin):
    from campaigns.services import campaign_create, campaign_members_add
    from tests.factories import ContactFactory

    seed_fields("campaigns")
    template = email_template_create(
        data={"name": "Event invite", "subject": "Join us, {{Lead.FirstName|friend}}", "body_text": "Hi"},
        acting_user=marketing_admin,
    )
    campaign = campaign_create(data={"name": "Spring Event", "type": "Email"}, acting_user=marketing_admin)
    lead = LeadFactory(owner_user=marketing_admin, first_name="Ada", email="ada@example.com")
    carla = ContactFactory(owner=marketing_admin, first_name="Carla", email="carla@example.com")
    dup = ContactFactory(owner=marketing_admin, first_name="Dupe", last_name="Ada", email="ADA@example.com")
    campaign_members_add(campaign=campaign, leads=[lead], contacts=[carla, dup], acting_user=marketing_admin)
    login(marketing_admin)

    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_test_id("campaign-list-email").click()
    page.select_option("#id_template", str(template.pk))
    page.get_by_test_id("list-email-preview").click()
    expect(page.get_by_test_id("recipient-count")).to_have_text("2 recipients")
    expect(page.get_by_test_id("recipient-split")).to_have_text("1 leads and 1 contact")
    expect(page.get_by_test_id("skipped")).to_contain_text("Duplicate address")
    expect(page.get_by_test_id("skipped")).to_contain_text("Dupe Ada")
    page.get_by_test_id("list-email-send").click()

    page.wait_for_url(re.compile(r".*/list-emails/\d+/$"))
    expect(page.get_by_test_id("progress-bar")).to_have_text("100%")
    expect(page.get_by_test_id("sent-count")).to_have_text("2")
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "carla@example.com"]
    assert sorted(m.subject for m in mail.outbox) == ["Join us, Ada", "Join us, Carla"]
