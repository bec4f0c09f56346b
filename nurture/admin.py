from django.contrib import admin

from .models import NurtureEnrolment, NurtureSequence, NurtureStep


class NurtureStepInline(admin.TabularInline):
    model = NurtureStep
    extra = 0
    fields = ("position", "kind", "template", "wait_days", "condition", "action")
    readonly_fields = fields
    can_delete = False


@admin.register(NurtureSequence)
class NurtureSequenceAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "updated_at")
    inlines = [NurtureStepInline]
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by", "version")


@admin.register(NurtureEnrolment)
class NurtureEnrolmentAdmin(admin.ModelAdmin):
    list_display = ("lead", "sequence", "status", "position", "next_run_at", "exit_reason")
    list_filter = ("status", "exit_reason")
    raw_id_fields = ("lead", "sequence", "enrolled_by", "ended_by")
