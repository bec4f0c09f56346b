from django.contrib import admin

from .models import Call, Event, Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("subject", "status", "priority", "due_date", "assigned_to")
    list_filter = ("status", "priority")
    raw_id_fields = ("lead", "contact", "account", "opportunity", "converted_lead", "assigned_to")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("subject", "start_at", "end_at", "assigned_to")
    raw_id_fields = ("lead", "contact", "account", "opportunity", "converted_lead", "assigned_to")


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("subject", "outcome", "called_at", "assigned_to")
    raw_id_fields = ("lead", "contact", "account", "opportunity", "converted_lead", "assigned_to")
