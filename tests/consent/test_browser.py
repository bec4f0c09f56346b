"""Real headless Chromium: the unsubscribe link of a received marketing email opens the preference
page with nobody signed in, and unsubscribing there opts the lead out."""

import re

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import expect

from consent.models import ConsentRecord
from emails.models import OutboundEmail
from emails.services import email_enqueue
from engagement.models import EngagementEvent
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    seed_fields("leads")


def test_the_unsubscribe_link_of_a_received_email_works_without_login(page, live_server, settings):
    settings.SITE_URL = live_server.url
    lead = LeadFactory(first_name="Ada", email="ada@example.com")
    with transaction.atomic():
        email_enqueue(
            to=lead.email,
            subject="Autumn news",
            body_text="Hello Ada",
            body_html="<html><body><p>Hello Ada</p></body></html>",
            kind=OutboundEmail.Kind.LIST_EMAIL,
            idempotency_key="browser-unsubscribe-1",
            object_name="lead",
            record_id=lead.pk,
            is_marketing=True,
        )
    received = mail.outbox[-1]
    html = received.alternatives[0].content
    link = re.search(r'href="([^"]+/consent/u/[^"]+)"', html).group(1)
    assert link.startswith(live_server.url)

    # The person clicks the link in their mail program: a fresh browser, nobody signed in.
    page.goto(link)
    expect(page.get_by_test_id("preference-state")).to_contain_text("You receive our marketing emails.")
    page.get_by_test_id("unsubscribe").click()
    expect(page.get_by_test_id("preference-state")).to_contain_text("You are unsubscribed")
    assert "/login" not in page.url

    lead.refresh_from_db()
    assert lead.email_opt_out is True
    line = ConsentRecord.objects.get(lead=lead)
    assert (line.action, line.source) == ("withdrawn", "preference_page")
    assert EngagementEvent.objects.filter(lead=lead, event_type="unsubscribe").exists()
