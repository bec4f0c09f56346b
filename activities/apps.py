from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

ACTIVITY_WORK = tuple(
    f"activities.{action}_{model}"
    for model in ("task", "event", "call")
    for action in ("view", "add", "change", "delete")
)


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from core.registry import RecordPart, register_conversion_hook, register_record_part, register_timeline_source
        from core.roles import MARKETING_ADMIN, SALES_REP, SYSTEM_ADMIN, grant

        from . import timeline
        from .parts import OBJECTS, activity_history_part, open_activities_part
        from .services import activities_follow_conversion

        grant(SALES_REP, *ACTIVITY_WORK)
        grant(MARKETING_ADMIN, *ACTIVITY_WORK)
        grant(SYSTEM_ADMIN, *ACTIVITY_WORK)
        for object_name in OBJECTS:
            register_record_part(RecordPart(object_name, "open_activities", open_activities_part, order=20))
            register_record_part(RecordPart(object_name, "activity_history", activity_history_part, order=30))
            register_timeline_source(object_name, timeline.source_for(object_name))
        register_conversion_hook(activities_follow_conversion)
        # A merge of leads moves these rows to the master lead (and back when it is undone).
        from core.registry import ReparentSpec, register_reparent

        from . import tasks as _tasks  # noqa: F401
        from .models import Call, Event, Task

        for model in (Task, Event, Call):
            register_reparent(ReparentSpec("lead", model, "lead", label="activities"))
