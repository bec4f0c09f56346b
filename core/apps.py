from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from .memo import forget_on_change
        from .models import FieldDefinition, OrgSettings, PicklistValue

        forget_on_change(FieldDefinition, PicklistValue, OrgSettings)
