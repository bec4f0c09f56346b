from django.apps import AppConfig


class NurtureConfig(AppConfig):
    name = "nurture"
    verbose_name = "Nurture sequences"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from core.registry import (
            BacklogGauge,
            RecordPart,
            register_backlog_gauge,
            register_conversion_hook,
            register_email_opt_out_hook,
            register_record_change_batch_hook,
            register_record_change_hook,
            register_record_part,
        )
        from core.roles import MARKETING_ADMIN, SALES_REP, grant

        from . import selectors, services
        from .parts import lead_nurture_sequences

        register_record_part(RecordPart("lead", "nurture", lead_nurture_sequences, order=45))
        register_record_change_hook(services.on_record_change)
        register_record_change_batch_hook(services.on_record_change, services.on_record_changes)
        register_email_opt_out_hook(services.on_email_opt_out)
        register_conversion_hook(services.on_conversion)
        register_backlog_gauge(
            BacklogGauge(
                key="sequences",
                label=gettext_lazy("Nurture steps due"),
                description=gettext_lazy("Enrolments whose next sequence step is due and not yet run."),
                read=selectors.due_backlog,
                url="nurture:list",
                order=60,
            )
        )
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

        # A merge of leads moves these rows to the master lead (and back when it is undone).
        from core.registry import ReparentSpec, register_reparent

        from .models import NurtureEnrolment

        for spec in (
            ReparentSpec("lead", NurtureEnrolment, "lead", unique_with=("sequence",), label="nurture enrolments"),
        ):
            register_reparent(spec)
