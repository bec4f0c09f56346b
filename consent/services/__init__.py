"""Writes and reads of consent: the ledger, unsubscribing, Web-to-Lead consent, and a person's data
export and erasure."""

from .forms import (
    CHECKBOX_FIELD,
    consent_confirm,
    form_consent_html,
    form_consent_set,
    pending_line_for_token,
    web_to_lead_consent,
)
from .ledger import (
    consent_lines,
    consent_record,
    consent_state,
    consent_text_create,
    conversion_carry_consent,
    effective_action,
    email_hash,
    is_suppressed,
    marketing_blocks,
)
from .privacy import contact_erase, contact_export, contact_export_data, lead_erase, lead_export, lead_export_data
from .unsubscribe import (
    Recipient,
    marketing_message_finish,
    marketing_send_refusal,
    one_click_url,
    person_language,
    preference_url,
    recipient_for_token,
    resubscribe,
    unsubscribe,
    unsubscribe_token,
)

__all__ = [
    "CHECKBOX_FIELD",
    "Recipient",
    "consent_confirm",
    "consent_lines",
    "consent_record",
    "consent_state",
    "consent_text_create",
    "contact_erase",
    "contact_export",
    "contact_export_data",
    "conversion_carry_consent",
    "effective_action",
    "email_hash",
    "form_consent_html",
    "form_consent_set",
    "is_suppressed",
    "lead_erase",
    "lead_export",
    "lead_export_data",
    "marketing_blocks",
    "marketing_message_finish",
    "marketing_send_refusal",
    "one_click_url",
    "pending_line_for_token",
    "person_language",
    "preference_url",
    "recipient_for_token",
    "resubscribe",
    "unsubscribe",
    "unsubscribe_token",
    "web_to_lead_consent",
]
