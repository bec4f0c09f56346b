"""Email opens and clicks: the HTML of an email the app sends to a lead gets an open pixel and
its web links rewritten through signed redirect URLs (``/t/o/<token>``, ``/t/c/<token>``).

A token is signed with the site's secret (``django.core.signing``), so it cannot be guessed or
altered; a click token carries the link's own URL, so the redirect goes only where the email
pointed — an unknown or tampered token is never an open redirect."""

import html as html_lib
import re
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from emails.models import OutboundEmail
from leads.models import Lead

from ..models import EngagementEvent
from ..selectors import engagement_settings, lead_opted_out
from .events import engagement_event_record, web_url_or_empty

OPEN_SALT = "engagement.email-open"
CLICK_SALT = "engagement.email-click"
# An open this soon after delivery is a machine (a security scanner or a prefetching proxy).
MACHINE_OPEN_WINDOW = timedelta(seconds=2)
# User agents of proxies that fetch every image of a message, whether a person reads it or not.
MACHINE_AGENTS = (
    "googleimageproxy",
    "ggpht.com",
    "yahoomailproxy",
    "bingpreview",
    "barracuda",
    "mimecast",
    "proofpoint",
    "symantec",
    "messagelabs",
    "python-requests",
    "curl/",
)

_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def open_token(email_id: int) -> str:
    return signing.dumps({"e": email_id}, salt=OPEN_SALT, compress=True)


def click_token(email_id: int, url: str) -> str:
    return signing.dumps({"e": email_id, "u": url}, salt=CLICK_SALT, compress=True)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _tracked_lead_id(email: OutboundEmail) -> int | None:
    if email.object_name != "lead" or not email.record_id:
        return None
    return email.record_id


def email_html_track(*, email: OutboundEmail, html: str) -> str:
    """The HTML as sent: with tracked links and an open pixel when the email goes to a lead that
    may be tracked and email tracking is on; else unchanged. Registered as an email HTML filter."""
    lead_id = _tracked_lead_id(email)
    if not html or lead_id is None or not email.pk:
        return html
    if not engagement_settings().email_tracking_enabled or lead_opted_out(lead_id):
        return html

    def rewrite(match: re.Match) -> str:
        url = web_url_or_empty(html_lib.unescape(match.group(3)).strip())
        if not url:
            return match.group(0)  # mailto:, anchors, merge leftovers: left as they are
        tracked = _absolute(reverse("engagement:click", args=[click_token(email.pk, url)]))
        return f"{match.group(1)}{match.group(2)}{html_lib.escape(tracked)}{match.group(2)}"

    html = _LINK.sub(rewrite, html)
    pixel_url = html_lib.escape(_absolute(reverse("engagement:open", args=[open_token(email.pk)])))
    pixel = f'<img src="{pixel_url}" width="1" height="1" alt="" style="display:none;border:0">'
    if _BODY_END.search(html):
        return _BODY_END.sub(lambda m: pixel + m.group(0), html, count=1)
    return html + pixel


def _email_from(token: str, salt: str) -> tuple[OutboundEmail | None, dict]:
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None, {}
    if not isinstance(data, dict) or not isinstance(data.get("e"), int):
        return None, {}
    return OutboundEmail.objects.filter(pk=data["e"]).first(), data


def is_machine_open(*, email: OutboundEmail, user_agent: str, now=None) -> bool:
    """A known prefetching proxy, or an open within two seconds of delivery (or before the
    delivery was even recorded)."""
    agent = (user_agent or "").lower()
    if any(marker in agent for marker in MACHINE_AGENTS):
        return True
    delivered = email.sent_at or email.claimed_at
    if delivered is None:
        return False
    if email.sent_at is None:
        return True
    return (now or timezone.now()) - delivered < MACHINE_OPEN_WINDOW


def _lead_exists(lead_id: int | None) -> bool:
    return lead_id is not None and Lead.objects.filter(pk=lead_id).exists()


def email_open_record(*, token: str, user_agent: str = "") -> EngagementEvent | None:
    """Record an open of the email the token names; ``None`` for a bad token (or nothing to record)."""
    email, _ = _email_from(token, OPEN_SALT)
    if email is None:
        return None
    lead_id = _tracked_lead_id(email)
    if not _lead_exists(lead_id):
        return None
    event, _ = engagement_event_record(
        event_type=EngagementEvent.Type.EMAIL_OPEN,
        source="email",
        lead_id=lead_id,
        outbound_email=email,
        template_id=email.template_id,
        is_machine=is_machine_open(email=email, user_agent=user_agent),
        properties={"user_agent": user_agent[:200]} if user_agent else {},
    )
    return event


def email_click_target(*, token: str, user_agent: str = "") -> str | None:
    """The URL a click token points to (one the email held), after recording the click; ``None``
    for an unknown or tampered token."""
    email, data = _email_from(token, CLICK_SALT)
    url = web_url_or_empty(data.get("u")) if data else ""
    if email is None or not url:
        return None
    lead_id = _tracked_lead_id(email)
    if _lead_exists(lead_id):
        agent = (user_agent or "").lower()
        engagement_event_record(
            event_type=EngagementEvent.Type.EMAIL_CLICK,
            source="email",
            lead_id=lead_id,
            url=url,
            outbound_email=email,
            template_id=email.template_id,
            is_machine=any(marker in agent for marker in MACHINE_AGENTS),
            properties={"user_agent": user_agent[:200]} if user_agent else {},
        )
    return url


def email_sent_record(*, email: OutboundEmail) -> EngagementEvent | None:
    """Record that an email went to a lead (registered as the outbox's email-sent hook):
    auto-responses, "Send Email" and later nurture emails alike. Idempotent per email; an email
    to anything but an existing lead records nothing."""
    lead_id = _tracked_lead_id(email)
    if not _lead_exists(lead_id):
        return None
    event, _created = engagement_event_record(
        event_type=EngagementEvent.Type.EMAIL_SENT,
        source="outbox",
        lead_id=lead_id,
        occurred_at=email.sent_at,
        outbound_email=email,
        template_id=email.template_id,
        title=email.subject,
        external_id=f"email-sent-{email.pk}",
    )
    return event
