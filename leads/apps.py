from django.apps import AppConfig
from django.utils.translation import gettext_lazy

# What every role may do with leads and their notes.
LEAD_WORK = (
    "leads.view_lead",
    "leads.add_lead",
    "leads.change_lead",
    "leads.delete_lead",
    "leads.view_queue",
    "leads.add_leadnote",
    "leads.view_leadnote",
)


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from core.registry import ObjectSpec, register_object
        from core.roles import MARKETING_ADMIN, SALES_REP, SYSTEM_ADMIN, grant

        from .fields import OBJECT_NAME, PICKLIST_FIELDS
        from .models import Lead

        register_object(
            ObjectSpec(
                name=OBJECT_NAME,
                label=gettext_lazy("Lead"),
                model=Lead,
                picklist_fields={f: f for f in PICKLIST_FIELDS},
            )
        )
        from core.registry import RecycleSpec, register_recyclable

        from .services import lead_restore

        register_recyclable(
            RecycleSpec(
                name=OBJECT_NAME,
                label=gettext_lazy("Lead"),
                icon="person-lines-fill",
                restore=lead_restore,
                detail_url="leads:detail",
                delete_permission="leads.delete_lead",
            )
        )
        # A renamed user's leads take the new name as their owner's sort name.
        from core.registry import register_user_rename_hook

        from .ownership import user_renamed

        register_user_rename_hook(user_renamed)
        grant(SALES_REP, *LEAD_WORK)
        grant(MARKETING_ADMIN, *LEAD_WORK, "leads.add_queue", "leads.change_queue", "leads.delete_queue")
        grant(SYSTEM_ADMIN, "leads.view_edit_converted_lead")

        # Routing: picklist values used in assignment rule criteria cannot be deleted; its Celery
        # tasks live in a sub-package that autodiscovery does not reach.
        from core.registry import register_picklist_usage

        from .imports import tasks as _import_tasks  # noqa: F401
        from .routing import tasks as _routing_tasks  # noqa: F401
        from .routing.services import picklist_usage

        register_picklist_usage(picklist_usage)

        _register_search()
        _register_timeline()
        _register_reparent()


def _register_reparent() -> None:
    """A merge of leads moves their notes and history to the master lead (and back when undone)."""
    from core.models import FieldHistory
    from core.registry import ReparentSpec, register_reparent

    from .models import LeadNote

    register_reparent(ReparentSpec("lead", LeadNote, "lead", label="notes"))
    register_reparent(ReparentSpec("lead", FieldHistory, "record_id", match={"object_name": "lead"}, label="history"))


def _register_timeline() -> None:
    from core.registry import register_timeline_source

    from .fields import OBJECT_NAME
    from .timeline import emails_source, notes_source

    register_timeline_source(OBJECT_NAME, notes_source)
    register_timeline_source(OBJECT_NAME, emails_source)


def _register_search() -> None:
    from django.utils.translation import gettext_lazy as _

    from core.registry import SearchSpec, register_searchable

    from .fields import OBJECT_NAME
    from .selectors import leads_visible_to

    register_searchable(
        SearchSpec(
            object_name=OBJECT_NAME,
            label=_("Leads"),
            queryset_for_user=lambda user: leads_visible_to(user).select_related("owner_user", "owner_queue"),
            fields=("first_name", "last_name", "company"),
            word_fields=("company",),
            email_fields=("email",),
            phone_fields=("phone",),
            full_name=("first_name", "last_name"),
            url="leads:detail",
            list_url="leads:list",
            list_params=(("view", "all"),),
            title=lambda lead: lead.name,
            subtitle=lambda lead: " · ".join(p for p in (lead.company, lead.email) if p),
            icon="person-lines-fill",
            ordering=("-created_at", "-id"),
            order=10,
        )
    )
