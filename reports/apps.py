from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from core.registry import (
            register_email_message_hook,
            register_lead_touch_hook,
            register_list_extension,
            register_record_change_batch_hook,
            register_record_change_hook,
        )

        from .listing import EXTENSION
        from .rollups import on_lead_touch, on_record_change, on_record_change_many
        from .schedules import attach_report_csv

        register_record_change_hook(on_record_change)
        register_record_change_batch_hook(on_record_change, on_record_change_many)
        register_lead_touch_hook(on_lead_touch)
        register_email_message_hook(attach_report_csv)
        register_list_extension(EXTENSION)
