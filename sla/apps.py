from django.apps import AppConfig


class SlaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sla"
    verbose_name = "Speed-to-lead SLAs"

    def ready(self) -> None:
        from core.registry import (
            RecordPart,
            register_lead_touch_hook,
            register_list_extension,
            register_picklist_usage,
            register_record_change_batch_hook,
            register_record_change_hook,
            register_record_part,
        )

        from .lists import SLA_COLUMNS
        from .services import on_lead_touched, on_record_change, on_record_changes, sla_picklist_usage
        from .views import lead_sla_part

        register_record_change_hook(on_record_change)
        register_record_change_batch_hook(on_record_change, on_record_changes)
        register_lead_touch_hook(on_lead_touched)
        register_list_extension(SLA_COLUMNS)
        register_picklist_usage(sla_picklist_usage)
        register_record_part(RecordPart("lead", "sla", lead_sla_part, order=4))

        from reports.selectors import REPORTS

        from .reports import SLA_STATUS

        # The standard reports are a dictionary keyed by report: adding one makes it a report like
        # the others (its page, CSV, API, drill-down and dashboard components).
        REPORTS.setdefault(SLA_STATUS.key, SLA_STATUS)
