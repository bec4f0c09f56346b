"""Consent on Web-to-Lead forms: the checkbox the generated HTML carries, the grant its intake
records (through the Web-to-Lead hook of ``core.registry``), and double opt-in: a confirmation
email whose signed link turns the pending grant into a granted one."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.roles import require_setup_admin
from emails.models import OutboundEmail
from emails.services import email_enqueue

from ..models import ConsentRecord, ConsentText, FormConsent, Purpose
from .ledger import Action, consent_record
from .unsubscribe import person_language

# The posted name of the checkbox (ignored by the lead field parser, read by the hook).
CHECKBOX_FIELD = "consent_marketing_email"
CONFIRM_SALT = "consent.confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 30


@transaction.atomic
def form_consent_set(*, form, text: ConsentText | None, double_opt_in: bool, acting_user) -> FormConsent | None:
    """Show (``text``) or hide (``None``) a form's consent checkbox, and set double opt-in."""
    require_setup_admin(acting_user)
    if text is None:
        FormConsent.objects.filter(form=form).delete()
        return None
    if text.purpose != Purpose.MARKETING_EMAIL:
        raise ValidationError({"text": [_("Choose a marketing email consent text.")]})
    row, _created = FormConsent.objects.update_or_create(
        form=form,
        defaults={
            "text": text,
            "double_opt_in": bool(double_opt_in),
            "updated_at": timezone.now(),
            "updated_by": acting_user if getattr(acting_user, "pk", None) else None,
        },
    )
    return row


def form_consent_html(*, form) -> str:
    """The checkbox the generated form HTML carries ("" for a form without consent)."""
    row = FormConsent.objects.select_related("text").filter(form=form).first()
    if row is None:
        return ""
    return render_to_string(
        "consent/includes/form_checkbox.html",
        {"name": CHECKBOX_FIELD, "text": row.text, "version_field": f"{CHECKBOX_FIELD}_version"},
    ).strip()


def _checked(payload: dict) -> bool:
    value = payload.get(CHECKBOX_FIELD)
    if isinstance(value, list):
        value = value[0] if value else ""
    return isinstance(value, str) and value.strip().lower() in {"1", "on", "true", "yes"}


def confirm_token(line: ConsentRecord) -> str:
    return signing.dumps({"c": line.pk}, salt=CONFIRM_SALT)


def pending_line_for_token(token: str) -> ConsentRecord | None:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        return None
    return ConsentRecord.objects.select_related("lead", "text").filter(pk=data["c"], action=Action.PENDING).first()


def _send_confirmation(line: ConsentRecord) -> None:
    lead = line.lead
    url = settings.SITE_URL + reverse("consent:confirm", args=[confirm_token(line)])
    context = {"lead": lead, "url": url, "text": line.text}
    with translation.override(person_language("lead", lead)):
        subject = _("Please confirm your subscription")
        body_text = render_to_string("consent/email/confirm.txt", context)
        body_html = render_to_string("consent/email/confirm.html", context)
    # Transactional: it asks for consent, so it may not itself wait for consent.
    email_enqueue(
        to=lead.email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        kind=OutboundEmail.Kind.SYSTEM,
        idempotency_key=f"consent-confirm:{line.pk}",
        object_name="lead",
        record_id=lead.pk,
        is_marketing=False,
    )


def web_to_lead_consent(*, lead, intake, acting_user=None) -> list[str]:
    """Record the grant of a Web-to-Lead submission whose consent box was ticked, with the text
    version shown and the visitor's address; with double opt-in the grant waits for the
    confirmation link (marketing email waits with it)."""
    form = getattr(intake, "form", None)
    row = FormConsent.objects.select_related("text").filter(form=form).first() if form is not None else None
    return _form_consent(lead=lead, intake=intake, row=row, acting_user=acting_user)


def web_to_lead_consent_many(*, items: list, acting_user=None) -> dict[int, list[str]]:
    """``web_to_lead_consent`` over a batch of (lead, intake) pairs: the consent settings of the
    batch's forms read in one query (most forms have none), then each ticked box recorded."""
    form_ids = {intake.form_id for _lead, intake in items if getattr(intake, "form_id", None)}
    rows = {row.form_id: row for row in FormConsent.objects.select_related("text").filter(form_id__in=form_ids)}
    return {
        intake.pk: _form_consent(
            lead=lead, intake=intake, row=rows.get(getattr(intake, "form_id", None)), acting_user=acting_user
        )
        for lead, intake in items
    }


def _form_consent(*, lead, intake, row: FormConsent | None, acting_user) -> list[str]:
    if row is None or not _checked(getattr(intake, "payload", None) or {}):
        return []
    line = consent_record(
        lead=lead,
        purpose=Purpose.MARKETING_EMAIL,
        action=Action.PENDING if row.double_opt_in else Action.GRANTED,
        source=ConsentRecord.Source.FORM,
        ip_address=getattr(intake, "source_address", None),
        text=row.text,
        occurred_at=getattr(intake, "received_at", None),
        acting_user=acting_user,
    )
    if not row.double_opt_in:
        return [_("Marketing email consent granted (text version %(v)s).") % {"v": row.text.version}]
    if lead.email:
        _send_confirmation(line)
    return [_("Marketing email consent awaits confirmation (double opt-in).")]


@transaction.atomic
def consent_confirm(*, line: ConsentRecord, ip_address: str | None = None) -> ConsentRecord:
    """The confirmation link of double opt-in: a granted line with the same text. Twice is harmless."""
    locked = ConsentRecord.objects.select_for_update().get(pk=line.pk)
    done = ConsentRecord.objects.filter(
        lead=locked.lead, source=ConsentRecord.Source.CONFIRMATION, note=f"pending:{locked.pk}"
    ).first()
    if done is not None:
        return done
    return consent_record(
        lead=locked.lead,
        contact=locked.contact,
        purpose=locked.purpose,
        action=Action.GRANTED,
        source=ConsentRecord.Source.CONFIRMATION,
        ip_address=ip_address,
        text=locked.text,
        note=f"pending:{locked.pk}",
    )
