"""Unsubscribing: the signed per-recipient link every marketing email carries, its headers
(``List-Unsubscribe``, one-click per RFC 8058), and the outbox's send-time consent check.

The outbox knows nothing of consent: it asks the checks and message hooks registered in
``core.registry`` (see ``ConsentConfig.ready``).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.mime.base import MIMEBase

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from leads.models import Lead
from sales.models import Contact

from ..models import ConsentRecord, Purpose
from .ledger import Action, consent_record, consent_state, email_hash, is_suppressed

SALT = "consent.unsubscribe"
MODELS = {"lead": Lead, "contact": Contact}


@dataclass(frozen=True)
class Recipient:
    """Whom an unsubscribe link was made for: a lead or a contact and the address it was sent to."""

    object_name: str
    record: Lead | Contact
    address: str

    @property
    def state(self) -> str | None:
        lead = self.record if self.object_name == "lead" else None
        contact = self.record if self.object_name == "contact" else None
        return consent_state(lead=lead, contact=contact, address=self.address, purpose=Purpose.MARKETING_EMAIL)

    @property
    def is_unsubscribed(self) -> bool:
        return bool(self.record.email_opt_out) or self.state == Action.WITHDRAWN


def person_language(object_name: str, record) -> str:
    """The language a person's pages and footers are shown in: that of the Web-to-Lead form the
    lead came from, else the organisation's."""
    from webtolead.models import Intake

    if object_name == "lead" and record is not None:
        language = (
            Intake.objects.filter(lead_id=record.pk, form__isnull=False)
            .order_by("received_at")
            .values_list("form__language", flat=True)
            .first()
        )
        if language:
            return language
    return settings.LANGUAGE_CODE


def unsubscribe_token(*, object_name: str, record_id: int, address: str) -> str:
    """A signed, non-guessable token naming the recipient (the address only as a short hash, so the
    link itself reveals nothing)."""
    return signing.dumps({"o": object_name, "r": record_id, "h": email_hash(address)[:20]}, salt=SALT, compress=True)


def recipient_for_token(token: str) -> Recipient | None:
    """The recipient a token names, or ``None`` for a forged or stale token (the record is gone)."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    model = MODELS.get(data.get("o")) if isinstance(data, dict) else None
    if model is None or not isinstance(data.get("r"), int):
        return None
    record = model.objects.filter(pk=data["r"]).first()
    if record is None:
        return None
    return Recipient(object_name=data["o"], record=record, address=record.email or "")


def preference_url(token: str) -> str:
    return settings.SITE_URL + reverse("consent:preferences", args=[token])


def one_click_url(token: str) -> str:
    return settings.SITE_URL + reverse("consent:one_click", args=[token])


@transaction.atomic
def unsubscribe(*, recipient: Recipient, source: str, ip_address: str | None = None) -> ConsentRecord | None:
    """Withdraw the recipient's marketing email consent (no login: the signed link is the proof).
    Twice is harmless: an already withdrawn person gets no second line."""
    if recipient.state == Action.WITHDRAWN and recipient.record.email_opt_out:
        return None
    kind = {recipient.object_name: recipient.record}
    return consent_record(
        purpose=Purpose.MARKETING_EMAIL,
        action=Action.WITHDRAWN,
        source=source,
        ip_address=ip_address,
        note=_("Unsubscribed from a marketing email"),
        **kind,
    )


@transaction.atomic
def resubscribe(*, recipient: Recipient, ip_address: str | None = None) -> ConsentRecord:
    """The preference page's "Subscribe again": a newer grant lifts the withdrawal."""
    return consent_record(
        purpose=Purpose.MARKETING_EMAIL,
        action=Action.GRANTED,
        source=ConsentRecord.Source.PREFERENCE_PAGE,
        ip_address=ip_address,
        **{recipient.object_name: recipient.record},
    )


# Outbox hooks -----------------------------------------------------------------------------------


def marketing_send_refusal(*, email) -> str:
    """Why a marketing email must not go out now ("" to send it): checked when it is sent."""
    address = email.to_address
    if is_suppressed(address):
        return _("Not sent: the address is on the suppression list (the person's data was erased).")
    model = MODELS.get(email.object_name)
    record = model.objects.filter(pk=email.record_id).first() if model and email.record_id else None
    if record is not None and record.email_opt_out:
        return _("Not sent: the recipient opted out of email.")
    lead = record if email.object_name == "lead" else None
    contact = record if email.object_name == "contact" else None
    state = consent_state(lead=lead, contact=contact, address=address, purpose=Purpose.MARKETING_EMAIL)
    if state == Action.WITHDRAWN:
        return _("Not sent: the recipient withdrew consent to marketing email.")
    if state == Action.PENDING:
        return _("Not sent: the recipient has not confirmed their subscription yet.")
    return ""


def _footer_text(url: str) -> str:
    return (
        "\n\n-- \n"
        + _("You receive this email because you are on our mailing list.")
        + "\n"
        + (_("Unsubscribe: %(url)s") % {"url": url})
    )


def _footer_html(url: str) -> str:
    return (
        '<p style="margin-top:24px;font-size:12px;color:#6c757d">'
        + escape(_("You receive this email because you are on our mailing list."))
        + f' <a href="{escape(url)}">'
        + escape(_("Unsubscribe"))
        + "</a></p>"
    )


def _with_html_footer(html: str, footer: str) -> str:
    at = html.lower().rfind("</body>")
    return html[:at] + footer + html[at:] if at >= 0 else html + footer


def marketing_message_finish(*, email, message) -> None:
    """Give a marketing email its unsubscribe link (text and HTML) and the RFC 8058 headers;
    transactional email is left as it is."""
    if not email.is_marketing or email.object_name not in MODELS or not email.record_id:
        return
    token = unsubscribe_token(object_name=email.object_name, record_id=email.record_id, address=email.to_address)
    url, one_click = preference_url(token), one_click_url(token)
    record = MODELS[email.object_name].objects.filter(pk=email.record_id).first()
    with translation.override(person_language(email.object_name, record)):
        message.body = (message.body or "") + _footer_text(url)
        message.alternatives = [
            type(alt)(_with_html_footer(alt.content, _footer_html(url)), alt.mimetype)
            if alt.mimetype == "text/html" and not isinstance(alt.content, MIMEBase)
            else alt
            for alt in message.alternatives
        ]
    message.extra_headers["List-Unsubscribe"] = f"<{one_click}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
