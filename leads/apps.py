from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core.registry import ObjectSpec, register_object

        from .fields import OBJECT_NAME, PICKLIST_FIELDS
        from .models import Lead
        from .setup import ensure_roles

        register_object(
            ObjectSpec(
                name=OBJECT_NAME,
                label="Lead",
                model=Lead,
                picklist_fields={f: f for f in PICKLIST_FIELDS},
            )
        )
        from core.registry import RecycleSpec, register_recyclable

        from .services import lead_restore

        register_recyclable(
            RecycleSpec(
                name=OBJECT_NAME,
                label="Lead",
                icon="person-lines-fill",
                restore=lead_restore,
                detail_url="leads:detail",
                delete_permission="leads.delete_lead",
            )
        )
        # Groups need the permissions, which Django creates after migrating each app: the roles are
        # brought up to date after every app, so that later apps' permissions (sales, web-to-lead)
        # reach them too.
        post_migrate.connect(ensure_roles, dispatch_uid="leads-ensure-roles")

        # Routing: picklist values used in assignment rule criteria cannot be deleted; its Celery
        # tasks live in a sub-package that autodiscovery does not reach.
        from core.registry import register_picklist_usage

        from .imports import tasks as _import_tasks  # noqa: F401
        from .routing import tasks as _routing_tasks  # noqa: F401
        from .routing.services import picklist_usage

        register_picklist_usage(picklist_usage)
