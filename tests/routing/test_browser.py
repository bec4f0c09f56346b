"""In real headless Chromium: a marketing admin builds and activates a two-entry rule, creates a
lead that matches the second entry, and a member of that entry's queue accepts it."""

import pytest
from playwright.sync_api import expect

from leads.models import Lead, Queue
from leads.routing.models import AssignmentRule
from tests.factories import QueueFactory

PASSWORD = "demo-pass-123"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_builds_a_rule_and_a_queue_member_accepts_the_routed_lead(
    browser, live_server, page, login, marketing_admin, rep, other_rep
):
    # given a queue whose member is the rep
    queue = QueueFactory(name="Inbound France")
    queue.members.add(rep)

    # when the marketing admin builds a rule with two entries and activates it
    login(marketing_admin)
    page.goto("/leads/setup/assignment-rules/new/")
    page.fill("input[name=name]", "Standard routing")
    page.click("form[data-cancel-url] button[type=submit]")
    page.get_by_test_id("new-entry").click()
    page.select_option("select[name=field_1]", "lead_source")
    page.select_option("select[name=operator_1]", "equals")
    page.fill("input[name=value_1]", "Webinar")
    page.check("input[name=assign_to][value=user]")
    page.select_option("select[name=assign_user]", str(other_rep.pk))
    page.click("text=Save entry")
    page.get_by_test_id("new-entry").click()
    page.select_option("select[name=field_1]", "country")
    page.select_option("select[name=operator_1]", "equals")
    page.fill("input[name=value_1]", "France")
    page.click("[data-criteria-add]")  # a sixth criterion row, added in the page
    page.select_option("select[name=field_6]", "company")
    page.select_option("select[name=operator_6]", "is_not_blank")
    page.check("input[name=assign_to][value=queue]")
    page.select_option("select[name=assign_queue]", str(queue.pk))
    page.click("text=Save entry")
    expect(page.get_by_test_id("entry-2")).to_be_visible()
    assert "Company is not blank" in page.get_by_test_id("entry-2").inner_text()
    page.get_by_test_id("activate-rule").click()
    expect(page.get_by_test_id("rule-active")).to_be_visible()
    assert AssignmentRule.objects.get(name="Standard routing").is_active

    # and creates a lead matching the second entry, with the checkbox ticked
    page.goto("/leads/new/")
    page.fill("input[name=last_name]", "Curie")
    page.fill("input[name=company]", "Radium SA")
    page.fill("input[name=country]", "France")
    page.check("input[name=use_assignment_rule]")
    page.click("button[name=save]")
    page.wait_for_url(lambda url: "/new/" not in url)

    # then the lead lands in the queue
    lead = Lead.objects.get(last_name="Curie")
    assert lead.owner_queue == Queue.objects.get(name="Inbound France")
    assert "Inbound France" in page.content()

    # when a member of the queue opens the queue and accepts the lead
    context = browser.new_context(base_url=live_server.url)
    member = context.new_page()
    member.goto("/login/")
    member.fill("input[name=username]", rep.username)
    member.fill("input[name=password]", PASSWORD)
    member.click("button[type=submit]")
    member.wait_for_url(lambda url: "/login" not in url)
    member.goto("/leads/queues/")
    member.click("text=Inbound France")
    row = member.get_by_test_id(f"queue-lead-{lead.pk}")
    with member.expect_navigation():
        row.get_by_role("button", name="Accept").click()
    context.close()

    # then the rep owns it
    lead.refresh_from_db()
    assert lead.owner_user == rep
    assert lead.owner_queue is None
