from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "emails"
    verbose_name = "Email"

    def ready(self) -> None:
        from core.registry import register_picklist_usage

        from .usage import autoresponse_picklist_usage

        register_picklist_usage(autoresponse_picklist_usage)

        # A merge of leads moves these rows to the master lead (and back when it is undone).
        from core.registry import ReparentSpec, register_reparent

        from .models import OutboundEmail

        for spec in (ReparentSpec("lead", OutboundEmail, "record_id", match={"object_name": "lead"}, label="emails"),):
            register_reparent(spec)
