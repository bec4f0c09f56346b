from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "emails"
    verbose_name = "Email"

    def ready(self) -> None:
        from core.registry import register_picklist_usage

        from .usage import autoresponse_picklist_usage

        register_picklist_usage(autoresponse_picklist_usage)
