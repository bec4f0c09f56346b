"""Marketing email carries a signed unsubscribe link and RFC 8058 headers; transactional email does
not; the outbox refuses, at send time, marketing email to people who opted out; the public pages
work with no login."""

import re

import pytest
from django.core import mail
from django.core.signing import BadSignature
from django.urls import reverse

from consent.models import ConsentRecord, Purpose, Suppression
from consent.services import consent_record, email_hash, recipient_for_token, unsubscribe_token
from emails.models import OutboundEmail
from emails.services import email_enqueue
from engagement.models import EngagementEvent
from tests.factories import LeadFactory


def _send(
    lead, *, key="m-1", marketing=True, kind=OutboundEmail.Kind.LIST_EMAIL, html="<html><body><p>Hi</p></body></html>"
):
    return email_enqueue(
        to=lead.email,
        subject="News",
        body_text="Hi there",
        body_html=html,
        kind=kind,
        idempotency_key=key,
        object_name="lead",
        record_id=lead.pk,
        is_marketing=marketing,
    )


def _link(message) -> str:
    return re.search(r"Unsubscribe: (\S+)", message.body).group(1)


@pytest.mark.django_db
def test_marketing_email_carries_the_link_and_one_click_headers(django_capture_on_commit_callbacks, settings):
    lead = LeadFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _send(lead)
    message = mail.outbox[0]
    link = _link(message)
    assert link.startswith(settings.SITE_URL + "/consent/u/")
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/consent/u/")
    assert message.extra_headers["List-Unsubscribe"].endswith("/one-click/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0].content
    assert link in html
    assert html.index(link) < html.index("</body>")


@pytest.mark.django_db
def test_transactional_email_has_no_unsubscribe(django_capture_on_commit_callbacks):
    lead = LeadFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _send(lead, marketing=False, kind=OutboundEmail.Kind.ASSIGNMENT)
    message = mail.outbox[0]
    assert "List-Unsubscribe" not in message.extra_headers
    assert "Unsubscribe" not in message.body


@pytest.mark.django_db
def test_each_recipient_gets_an_own_token_that_cannot_be_forged():
    first, second = LeadFactory(), LeadFactory()
    token = unsubscribe_token(object_name="lead", record_id=first.pk, address=first.email)
    assert token != unsubscribe_token(object_name="lead", record_id=second.pk, address=second.email)
    assert recipient_for_token(token).record == first
    forged = token.replace(token.split(":")[0], "x" + token.split(":")[0][1:])
    assert recipient_for_token(forged) is None
    assert recipient_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert not isinstance(recipient_for_token("garbage"), BadSignature)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arrange", "reason"),
    [
        (
            lambda lead: consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action="withdrawn", source="api"),
            "opted out",
        ),
        (
            lambda lead: consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action="pending", source="form"),
            "confirmed",
        ),
        (
            lambda lead: Suppression.objects.create(
                email_hash=email_hash(lead.email), reason="erased", created_at=lead.created_at
            ),
            "suppression",
        ),
    ],
)
def test_the_outbox_refuses_marketing_email_at_send_time(django_capture_on_commit_callbacks, arrange, reason):
    # given a marketing email queued while the person could still be emailed
    lead = LeadFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = _send(lead)
    # when they opt out (or are suppressed) before the worker sends it
    arrange(lead)
    for callback in callbacks:
        callback()
    # then nothing is sent and the row says why
    email.refresh_from_db()
    assert mail.outbox == []
    assert email.status == OutboundEmail.Status.SKIPPED
    assert reason in email.last_error


@pytest.mark.django_db
def test_transactional_email_goes_to_someone_who_opted_out(django_capture_on_commit_callbacks):
    lead = LeadFactory(email_opt_out=True)
    with django_capture_on_commit_callbacks(execute=True):
        email = _send(lead, marketing=False, kind=OutboundEmail.Kind.SYSTEM)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_one_click_post_unsubscribes_without_login_or_csrf(client):
    lead = LeadFactory()
    token = unsubscribe_token(object_name="lead", record_id=lead.pk, address=lead.email)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        reverse("consent:one_click", args=[token]), {"List-Unsubscribe": "One-Click"}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.email_opt_out is True
    line = ConsentRecord.objects.get(lead=lead)
    assert (line.action, line.source, line.ip_address) == ("withdrawn", "one_click", "198.51.100.4")
    assert EngagementEvent.objects.filter(lead=lead, event_type="unsubscribe").count() == 1
    # twice is harmless
    assert client.post(reverse("consent:one_click", args=[token])).status_code == 200
    assert ConsentRecord.objects.filter(lead=lead).count() == 1


@pytest.mark.django_db
def test_the_preference_page_works_without_login(client):
    lead = LeadFactory()
    token = unsubscribe_token(object_name="lead", record_id=lead.pk, address=lead.email)
    url = reverse("consent:preferences", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Unsubscribe from all marketing emails" in page.content
    response = client.post(url, {"choice": "unsubscribe"}, follow=True)
    assert b"You are unsubscribed" in response.content
    lead.refresh_from_db()
    assert lead.email_opt_out is True
    client.post(url, {"choice": "subscribe"})
    lead.refresh_from_db()
    assert lead.email_opt_out is False
    assert list(ConsentRecord.objects.filter(lead=lead).order_by("id").values_list("action", flat=True)) == [
        "withdrawn",
        "granted",
    ]


@pytest.mark.django_db
def test_a_bad_token_is_a_404(client):
    assert client.get(reverse("consent:preferences", args=["nope"])).status_code == 404
    assert client.post(reverse("consent:one_click", args=["nope"])).status_code == 404


def test_the_preference_page_speaks_the_language_of_the_form_the_lead_came_from(
    client, web_form, fields_for, marketing_admin
):
    web_form.language = "fr"
    web_form.save(update_fields=["language"])
    client.post("/web-to-lead/", fields_for(web_form))
    from leads.models import Lead

    lead = Lead.objects.get()
    token = unsubscribe_token(object_name="lead", record_id=lead.pk, address=lead.email)
    page = client.get(reverse("consent:preferences", args=[token]), headers={"accept-language": "en"})
    assert b'<html lang="fr"' in page.content
    other = LeadFactory()
    token = unsubscribe_token(object_name="lead", record_id=other.pk, address=other.email)
    assert b'<html lang="en' in client.get(reverse("consent:preferences", args=[token])).content


@pytest.mark.django_db
def test_an_auto_response_is_marketing_only_when_its_template_is(marketing_admin, django_capture_on_commit_callbacks):
    from emails.services import autoresponse_send, autoresponse_settings_update, email_template_create

    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks", "body_text": "We got it."}, acting_user=marketing_admin
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)
    with django_capture_on_commit_callbacks(execute=True):
        plain = autoresponse_send(lead=LeadFactory(), source="web")
    template.is_marketing = True
    template.save()
    with django_capture_on_commit_callbacks(execute=True):
        marketing = autoresponse_send(lead=LeadFactory(), source="web")
    assert (plain.is_marketing, marketing.is_marketing) == (False, True)
    assert ["List-Unsubscribe" in m.extra_headers for m in mail.outbox] == [False, True]


@pytest.mark.django_db
def test_the_outbox_page_shows_a_skipped_email_as_not_sent(client, system_admin):
    lead = LeadFactory(email_opt_out=True)
    email = _send(lead)
    from emails.services import outbound_email_deliver

    assert outbound_email_deliver(email_id=email.pk) == "refused"
    client.force_login(system_admin)
    page = client.get(reverse("emails:outbox"))
    assert b"Not sent" in page.content
