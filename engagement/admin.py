from django.contrib import admin

from .models import EngagementEvent, EngagementSettings, TrackingIntake


@admin.register(EngagementEvent)
class EngagementEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "event_type", "lead", "visitor_id", "source", "is_machine"]
    list_filter = ["event_type", "source", "is_machine"]
    raw_id_fields = ["lead", "contact", "outbound_email", "template", "created_by"]


admin.site.register(EngagementSettings)
admin.site.register(TrackingIntake)
