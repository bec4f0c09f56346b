"""Demo content of consent: a consent text on the webinar form, and a few ledger lines (grants from
the form, one awaiting confirmation, one unsubscribe)."""

import datetime as dt

from django.utils import timezone

from leads.models import Lead
from webtolead.models import WebToLeadForm

from .models import ConsentRecord, ConsentText, Purpose
from .services import consent_record, consent_text_create, form_consent_set

TEXT = "Yes, send me news about events and products. I can unsubscribe at any time."


def seed(*, users) -> None:
    admin = users["marketing"]
    text = ConsentText.objects.filter(purpose=Purpose.MARKETING_EMAIL).order_by("-version").first()
    if text is None:
        text = consent_text_create(purpose=Purpose.MARKETING_EMAIL, text=TEXT, acting_user=admin)
    form = WebToLeadForm.objects.filter(name="Webinar Registration").first()
    if form is not None:
        form_consent_set(form=form, text=text, double_opt_in=True, acting_user=admin)
    if ConsentRecord.objects.exists():
        return
    leads = list(Lead.objects.filter(is_converted=False).exclude(email="").order_by("-id")[:8])
    now = timezone.now()
    for index, lead in enumerate(leads):
        at = now - dt.timedelta(days=30 - index)
        action = ConsentRecord.Action.PENDING if index == 6 else ConsentRecord.Action.GRANTED
        consent_record(
            lead=lead,
            purpose=Purpose.MARKETING_EMAIL,
            action=action,
            source=ConsentRecord.Source.FORM,
            text=text,
            ip_address=f"198.51.100.{10 + index}",
            occurred_at=at,
        )
    if leads:
        consent_record(
            lead=leads[-1],
            purpose=Purpose.MARKETING_EMAIL,
            action=ConsentRecord.Action.WITHDRAWN,
            source=ConsentRecord.Source.PREFERENCE_PAGE,
            ip_address="198.51.100.99",
            note="Unsubscribed from the newsletter",
        )
