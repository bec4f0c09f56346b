"""Reads of consent, scoped to what the user may see."""

from django.db.models import Q, QuerySet

from leads.models import Lead
from leads.selectors import leads_visible_to
from sales.selectors import contacts_visible_to

from .models import ConsentRecord, ConsentText, DataRequest, FormConsent, Purpose
from .services.ledger import consent_state, email_hash


def lead_consent_lines(*, lead: Lead) -> QuerySet[ConsentRecord]:
    """The lines of a lead's ledger and of its address, newest first."""
    hashed = email_hash(lead.email)
    where = Q(lead=lead) | (Q(email_hash=hashed, purpose=Purpose.MARKETING_EMAIL) if hashed else Q(pk__in=[]))
    return ConsentRecord.objects.filter(where).select_related("text", "created_by").order_by("-occurred_at", "-id")


def contact_consent_lines(*, contact) -> QuerySet[ConsentRecord]:
    """The lines of a contact's ledger (those it inherited from its lead too) and of its address."""
    hashed = email_hash(contact.email)
    where = Q(contact=contact) | (Q(email_hash=hashed, purpose=Purpose.MARKETING_EMAIL) if hashed else Q(pk__in=[]))
    return ConsentRecord.objects.filter(where).select_related("text", "created_by").order_by("-occurred_at", "-id")


def contact_marketing_state(*, contact) -> str | None:
    return consent_state(contact=contact, address=contact.email, purpose=Purpose.MARKETING_EMAIL)


def lead_marketing_state(*, lead: Lead) -> str | None:
    return consent_state(lead=lead, address=lead.email, purpose=Purpose.MARKETING_EMAIL)


def consent_records_visible_to(user) -> QuerySet[ConsentRecord]:
    """Ledger lines of the leads and contacts the user may see (the API's list)."""
    return (
        ConsentRecord.objects.filter(
            Q(lead__in=leads_visible_to(user, include_converted=True)) | Q(contact__in=contacts_visible_to(user))
        )
        .select_related("text", "created_by")
        .order_by("-occurred_at", "-id")
    )


def consent_texts() -> QuerySet[ConsentText]:
    return ConsentText.objects.select_related("created_by").order_by("purpose", "-version")


def form_consents() -> dict[int, FormConsent]:
    return {row.form_id: row for row in FormConsent.objects.select_related("text")}


def data_requests(*, limit: int = 100) -> QuerySet[DataRequest]:
    return DataRequest.objects.select_related("acting_user")[:limit]
