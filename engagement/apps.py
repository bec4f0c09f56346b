from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from core.memo import forget_on_change
        from core.registry import (
            RecordPart,
            register_conversion_hook,
            register_email_html_filter,
            register_email_sent_hook,
            register_lead_touch_hook,
            register_list_extension,
            register_record_part,
            register_timeline_source,
            register_web_to_lead_batch_hook,
            register_web_to_lead_hook,
        )

        from . import listing, timeline
        from .models import EngagementSettings
        from .services import email_html_track, email_sent_record, on_conversion, on_web_to_lead
        from .services.events import on_web_to_lead_many
        from .services.last_activity import on_lead_touch
        from .views import lead_engagement_part

        register_record_part(RecordPart("lead", "engagement", lead_engagement_part, order=50))
        register_timeline_source("lead", timeline.lead_events_source)
        register_web_to_lead_hook(on_web_to_lead)
        register_web_to_lead_batch_hook(on_web_to_lead, on_web_to_lead_many)
        register_conversion_hook(on_conversion)
        register_email_html_filter(email_html_track)
        register_email_sent_hook(email_sent_record)
        register_list_extension(listing.EXTENSION)
        register_lead_touch_hook(on_lead_touch)
        forget_on_change(EngagementSettings)

        # A merge of leads moves these rows to the master lead (and back when it is undone).
        from core.registry import ReparentSpec, register_reparent

        from .models import EngagementEvent, TrackedVisitor

        for spec in (
            ReparentSpec("lead", EngagementEvent, "lead", label="engagement events"),
            ReparentSpec("lead", TrackedVisitor, "lead", label="website visitors"),
        ):
            register_reparent(spec)
