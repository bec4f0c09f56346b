"""Emails to leads carry an open pixel and links through signed redirects; a tampered token never
redirects anywhere but the site's root; machine opens are flagged."""

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from emails.models import OutboundEmail
from emails.services import email_enqueue
from emails.services.outbox import build_message
from engagement.models import EngagementEvent
from engagement.services import click_token, lead_tracking_opt_out_set, open_token

pytestmark = pytest.mark.django_db

HTML = '<html><body><p>Hi</p><a href="https://www.example.com/offer?a=1&amp;b=2">Offer</a> <a href="mailto:x@example.com">Mail</a></body></html>'


@pytest.fixture
def email(lead):
    row = email_enqueue(
        to=lead.email,
        subject="Our offer",
        body_text="Hi",
        body_html=HTML,
        kind=OutboundEmail.Kind.MANUAL,
        idempotency_key="offer-1",
        object_name="lead",
        record_id=lead.pk,
    )
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now() - dt.timedelta(minutes=5)
    )
    row.refresh_from_db()
    return row


def _sent_html(email) -> str:
    return build_message(email).alternatives[0][0]


def test_the_sent_html_has_an_open_pixel_and_tracked_web_links(email):
    html = _sent_html(email)

    links = re.findall(r'href="([^"]+)"', html)
    assert links[0].startswith("http://127.0.0.1:8000/t/c/") or "/t/c/" in links[0]
    assert links[1] == "mailto:x@example.com"
    assert re.search(r'<img src="[^"]*/t/o/[^"]+"', html)
    assert "https://www.example.com/offer" not in html  # only inside the signed token


def test_a_click_goes_to_the_link_of_the_email_and_is_recorded(client, email, lead):
    html = _sent_html(email)
    tracked = unescape(re.findall(r'href="([^"]+)"', html)[0])
    path = tracked[tracked.index("/t/c/") :]

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == "https://www.example.com/offer?a=1&b=2"
    event = EngagementEvent.objects.get(event_type="email_click")
    assert (event.lead, event.outbound_email, event.url) == (lead, email, "https://www.example.com/offer?a=1&b=2")


def test_a_tampered_click_token_goes_to_the_root_not_to_its_url(client, email):
    token = click_token(email.pk, "https://www.example.com/")
    data, _, signature = token.rpartition(":")
    forged = ("A" if token[1] != "A" else "B").join((token[:1], token[2:]))  # one character of the payload

    for bad in (forged, data + ":" + "A" * len(signature), "garbage", f"{token}x"):
        response = client.get(f"/t/c/{bad}")
        assert response.status_code == 302
        assert response["Location"] == "/"
    assert not EngagementEvent.objects.exists()


def test_an_open_is_recorded_and_a_bad_open_token_is_404(client, email, lead):
    response = client.get(f"/t/o/{open_token(email.pk)}", HTTP_USER_AGENT="Mozilla/5.0 Thunderbird")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    event = EngagementEvent.objects.get()
    assert (event.event_type, event.lead, event.is_machine) == ("email_open", lead, False)
    assert client.get(f"/t/o/{open_token(email.pk)}x").status_code == 404


def test_an_open_by_a_prefetching_proxy_is_flagged(client, email):
    agent = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"

    client.get(f"/t/o/{open_token(email.pk)}", HTTP_USER_AGENT=agent)

    assert EngagementEvent.objects.get().is_machine is True


def test_an_open_within_two_seconds_of_delivery_is_flagged(client, email):
    OutboundEmail.objects.filter(pk=email.pk).update(sent_at=timezone.now() - dt.timedelta(seconds=1))

    client.get(f"/t/o/{open_token(email.pk)}", HTTP_USER_AGENT="Mozilla/5.0")

    assert EngagementEvent.objects.get().is_machine is True


def test_an_email_to_a_lead_that_opted_out_is_sent_untracked(email, lead, rep):
    lead_tracking_opt_out_set(lead=lead, opt_out=True, acting_user=rep)

    assert _sent_html(email) == HTML


def test_an_email_to_no_lead_is_sent_untracked(db):
    row = email_enqueue(
        to="someone@example.com",
        subject="System",
        body_text="Hi",
        body_html=HTML,
        kind=OutboundEmail.Kind.SYSTEM,
        idempotency_key="sys-1",
    )

    assert _sent_html(row) == HTML
