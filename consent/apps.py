from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        from core.registry import (
            RecordPart,
            register_conversion_hook,
            register_email_message_hook,
            register_marketing_send_check,
            register_record_part,
            register_web_to_lead_batch_hook,
            register_web_to_lead_form_part,
            register_web_to_lead_hook,
        )
        from core.roles import MARKETING_ADMIN, SALES_REP, grant

        from . import services
        from .parts import contact_consent_part, lead_consent_part

        register_marketing_send_check(services.marketing_send_refusal)
        register_email_message_hook(services.marketing_message_finish)
        register_web_to_lead_hook(services.web_to_lead_consent)
        register_web_to_lead_batch_hook(services.web_to_lead_consent, services.web_to_lead_consent_many)
        register_web_to_lead_form_part(services.form_consent_html)
        register_conversion_hook(services.conversion_carry_consent)
        register_record_part(RecordPart("lead", "consent", lead_consent_part, order=45))
        register_record_part(RecordPart("contact", "consent", contact_consent_part, order=45))
        grant(SALES_REP, "consent.view_consentrecord", "consent.add_consentrecord")
        grant(
            MARKETING_ADMIN,
            "consent.view_consentrecord",
            "consent.add_consentrecord",
            "consent.view_consenttext",
            "consent.add_consenttext",
            "consent.view_formconsent",
            "consent.change_formconsent",
        )

        # A merge of leads moves these rows to the master lead (and back when it is undone).
        from core.registry import ReparentSpec, register_reparent

        from .models import ConsentRecord

        for spec in (ReparentSpec("lead", ConsentRecord, "lead", label="consent"),):
            register_reparent(spec)
