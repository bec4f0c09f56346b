"""A system admin registers an endpoint on the Setup page, sends it a test event and reads the
delivery in the log."""

import pytest

from tests.waiting import wait_until
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_an_endpoint_send_a_test_event_and_read_the_log(
    seeded_lead_fields, page, login, system_admin, receiver
):
    login(system_admin)
    page.goto("/setup/webhooks/")
    page.get_by_text("No endpoints yet.").wait_for()
    page.get_by_role("link", name="New Endpoint").click()
    page.get_by_label("Name").fill("Warehouse")
    page.get_by_label("Endpoint URL").fill("not a url")
    page.get_by_label("Lead converted").check()
    page.get_by_role("button", name="Save").click()
    page.locator(".invalid-feedback, .text-danger").first.wait_for()
    assert not WebhookEndpoint.objects.exists()

    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Warehouse").wait_for()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["lead.created", "lead.updated", "lead.converted"]

    page.get_by_test_id("send-test").click()
    page.get_by_text("A test event is on its way").wait_for()
    assert wait_until(lambda: receiver.events() == ["ping"], timeout=15)
    assert wait_until(lambda: WebhookDelivery.objects.get().status == "delivered")
    page.goto(page.url)
    log = page.get_by_test_id("delivery-log")
    assert "ping" in log.inner_text()
    assert "Delivered" in log.inner_text()
    log.get_by_role("link").first.click()
    page.get_by_test_id("payload").wait_for()
    assert "Warehouse" in page.get_by_test_id("payload").inner_text()
    page.get_by_test_id("replay").click()
    assert wait_until(lambda: len(receiver.requests) == 2, timeout=15)
