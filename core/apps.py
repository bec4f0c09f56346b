from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .memo import forget_on_change
        from .models import FieldDefinition, OrgSettings, PicklistValue

        forget_on_change(FieldDefinition, PicklistValue, OrgSettings)

        from django.db.backends.signals import connection_created

        from .normalize import register_sqlite_functions

        # SQLite has no unaccent: each new connection gets the Python normalisation that the
        # searches' expressions call (core.normalize).
        connection_created.connect(register_sqlite_functions, dispatch_uid="search_sqlite_functions")

        from django.db.models.signals import post_migrate

        from .roles import MARKETING_ADMIN, ensure_roles, grant

        # Groups need the permissions, which Django creates after migrating each app: the roles are
        # brought up to date after every app, so that later apps' permissions reach them too.
        post_migrate.connect(ensure_roles, dispatch_uid="core-ensure-roles")

        grant(
            MARKETING_ADMIN,
            "core.view_picklistvalue",
            "core.add_picklistvalue",
            "core.change_picklistvalue",
            "core.delete_picklistvalue",
            "core.view_fielddefinition",
            "core.add_fielddefinition",
            "core.change_fielddefinition",
            "core.export_records",
            "core.manage_campaigns",
        )
