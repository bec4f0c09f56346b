from django.apps import AppConfig


class WebtoleadConfig(AppConfig):
    name = "webtolead"
    verbose_name = "Web-to-Lead"

    def ready(self) -> None:
        from core.memo import forget_on_change
        from core.registry import register_picklist_usage

        from .models import WebToLeadForm, WebToLeadSettings
        from .selectors import picklist_usages

        register_picklist_usage(picklist_usages)
        forget_on_change(WebToLeadForm, WebToLeadSettings)
