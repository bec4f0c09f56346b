from django.apps import AppConfig


class DedupeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dedupe"
    verbose_name = "Duplicate management"

    def ready(self) -> None:
        from core.registry import (
            RecordPart,
            register_lead_intake_screen,
            register_record_change_batch_hook,
            register_record_change_hook,
            register_record_part,
        )

        from .services.keys import on_record_change, on_record_changes
        from .services.screen import intake_screen

        register_record_change_hook(on_record_change)
        register_record_change_batch_hook(on_record_change, on_record_changes)
        register_lead_intake_screen(intake_screen)

        from .views import lead_duplicates_part

        register_record_part(RecordPart("lead", "duplicates", lead_duplicates_part, order=3))
