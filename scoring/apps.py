from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Lead scoring")

    def ready(self) -> None:
        from core.registry import (
            BacklogGauge,
            RecordPart,
            register_backlog_gauge,
            register_engagement_event_batch_hook,
            register_engagement_event_hook,
            register_list_extension,
            register_mql_provider,
            register_picklist_usage,
            register_record_change_batch_hook,
            register_record_change_hook,
            register_record_part,
        )

        from . import listing
        from .lag import scoring_backlog
        from .mql import leads_qualified
        from .services import (
            fit_picklist_usage,
            on_engagement_event,
            on_engagement_events,
            on_record_change,
            on_record_changes,
        )
        from .views import lead_score_part

        register_record_part(RecordPart("lead", "score", lead_score_part, order=5))
        register_engagement_event_hook(on_engagement_event)
        register_engagement_event_batch_hook(on_engagement_event, on_engagement_events)
        register_record_change_hook(on_record_change)
        register_record_change_batch_hook(on_record_change, on_record_changes)
        register_picklist_usage(fit_picklist_usage)
        register_list_extension(listing.EXTENSION)
        register_mql_provider(leads_qualified)
        register_backlog_gauge(
            BacklogGauge(
                key="scoring",
                label=_("Leads waiting to be scored"),
                description=_("Engagement events and lead changes not yet reflected in the score."),
                read=scoring_backlog,
                url="scoring:model_list",
                order=10,
            )
        )

        # A merge of leads moves these rows to the master lead (and back when it is undone).
        from core.registry import ReparentSpec, register_reparent

        from .models import LeadScore

        for spec in (ReparentSpec("lead", LeadScore, "lead", unique_with=("model",), label="scores"),):
            register_reparent(spec)
