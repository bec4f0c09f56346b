"""The Consent related lists this app adds to the lead page (the ledger, recording a grant or a
withdrawal, and for system admins the export and erasure of the person's data) and to the contact
page (the ledger it inherited and that of its address, recording a grant or a withdrawal, export and
erasure)."""

from django.template.loader import render_to_string

from core.roles import is_system_admin
from leads.selectors import lead_is_editable_by
from sales.selectors import record_is_editable_by

from . import selectors
from .models import ConsentRecord, Purpose


def _recording(request, *, can_record: bool) -> dict:
    return {
        "can_record": can_record,
        "is_system_admin": is_system_admin(request.user),
        "purposes": Purpose.choices,
        "actions": [
            (ConsentRecord.Action.GRANTED, ConsentRecord.Action.GRANTED.label),
            (ConsentRecord.Action.WITHDRAWN, ConsentRecord.Action.WITHDRAWN.label),
        ],
    }


def lead_consent_part(request, lead) -> str:
    lines = list(selectors.lead_consent_lines(lead=lead)[:50])
    return render_to_string(
        "consent/includes/lead_consent.html",
        {
            "lead": lead,
            "lines": lines,
            "state": selectors.lead_marketing_state(lead=lead),
            **_recording(request, can_record=lead_is_editable_by(lead, request.user)),
        },
        request=request,
    )


def contact_consent_part(request, contact) -> str:
    return render_to_string(
        "consent/includes/contact_consent.html",
        {
            "contact": contact,
            "lines": list(selectors.contact_consent_lines(contact=contact)[:50]),
            "state": selectors.contact_marketing_state(contact=contact),
            **_recording(request, can_record=record_is_editable_by(contact, request.user)),
        },
        request=request,
    )
