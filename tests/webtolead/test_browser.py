"""An admin builds a form, submits its preview as a visitor, and finds the routed lead with its
auto-response."""

import pytest
from django.urls import reverse

from emails.services import autoresponse_settings_update, email_template_create
from leads.models import Lead
from leads.routing.services import EntryInput, entry_save, rule_activate, rule_create
from tests.factories import QueueFactory
from webtolead.models import WebToLeadSettings


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_builds_a_form_submits_its_preview_and_finds_the_routed_lead(page, login, w2l_settings, marketing_admin):
    # given a queue the admin works, a rule sending German leads there, and a default auto-response
    queue = QueueFactory(name="DACH web leads")
    queue.members.add(marketing_admin)
    rule = rule_create(name="Web routing", acting_user=marketing_admin)
    entry_save(
        rule=rule,
        data=EntryInput(
            criteria=[{"field": "country", "operator": "equals", "value": "Germany"}],
            assign_to="queue",
            assign_queue=queue,
        ),
        acting_user=marketing_admin,
    )
    rule_activate(rule=rule, acting_user=marketing_admin)
    template = email_template_create(
        data={"name": "Web thanks", "subject": "Thanks for reaching out, {{Lead.FirstName}}", "body_text": "Hi!"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)
    WebToLeadSettings.objects.update(min_fill_seconds=1)
    login(marketing_admin)

    # the admin builds a form with the country field
    page.goto(reverse("webtolead:form_create"))
    page.fill("#id_name", "Germany contact")
    page.check("#include_country")
    page.check("#include_email")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/setup/web-to-lead/*/")
    assert "<form action=" in page.input_value("#generated-html")

    # a visitor fills in the preview and submits it
    preview = page.frame_locator("[data-testid=preview-frame]")
    preview.locator("#first_name").fill("Greta")
    preview.locator("#last_name").fill("Visitor")
    preview.locator("#email").fill("greta@visitor.example")
    preview.locator("#company").fill("Berlin Widgets")
    preview.locator("#country").fill("Germany")
    page.wait_for_timeout(1200)  # slower than the minimum fill time, as a person is
    preview.locator("input[type=submit]").click()
    preview.locator("text=Thank you").wait_for()

    # the admin finds the lead in the queue, with its auto-response in the Emails list
    lead = Lead.objects.get(last_name="Visitor")
    assert lead.owner_queue == queue
    page.goto(reverse("leads:list") + "?view=queues")
    page.get_by_role("link", name="Greta Visitor").first.click()
    page.wait_for_url(f"**/leads/{lead.pk}/")
    assert page.get_by_text("Thanks for reaching out, Greta").first.is_visible()
