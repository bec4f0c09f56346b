from django.apps import AppConfig


class NurtureConfig(AppConfig):
    name = "nurture"
    verbose_name = "Nurture sequences"

    def ready(self) -> None:
        from core import registry
        from core.registry import (
            RecordPart,
            register_conversion_hook,
            register_email_opt_out_hook,
            register_record_change_hook,
            register_record_part,
        )
        from core.roles import MARKETING_ADMIN, SALES_REP, grant

        from . import services
        from .parts import lead_nurture_sequences

        register_record_part(RecordPart("lead", "nurture", lead_nurture_sequences, order=45))
        register_record_change_hook(services.on_record_change)
        register_email_opt_out_hook(services.on_email_opt_out)
        register_conversion_hook(services.on_conversion)
        # Consent's withdrawal hook, where that app provides it.
        if hasattr(registry, "register_marketing_opt_out_hook"):
            registry.register_marketing_opt_out_hook(services.on_email_opt_out)
        grant(SALES_REP, "nurture.view_nurturesequence", "nurture.view_nurtureenrolment")
        grant(
            MARKETING_ADMIN,
            *[
                f"nurture.{action}_{model}"
                for model in (
                    "nurturesequence",
                    "nurturestep",
                    "nurtureenrolment",
                    "enrolmentrule",
                    "enrolmentruleentry",
                )
                for action in ("view", "add", "change", "delete")
            ],
        )
