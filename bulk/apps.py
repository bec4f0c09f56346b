from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "bulk"
    verbose_name = "Bulk API"

    def ready(self) -> None:
        from core.roles import MARKETING_ADMIN, grant
        from leads.imports.processing import register_import_hooks

        from .services.ingest import import_hooks_of

        # The imports that ingest jobs run are processed with the bulk API's duplicate rule path and
        # record a result per row, whichever worker (or the imports' sweeper) runs them.
        register_import_hooks(import_hooks_of)
        grant(MARKETING_ADMIN, "bulk.import_records")
