from django.contrib import admin

from .models import Intake, WebToLeadForm, WebToLeadSettings


@admin.register(WebToLeadForm)
class WebToLeadFormAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "lead_source", "campaign", "updated_at"]
    readonly_fields = ["public_key", "created_at", "created_by", "updated_at", "updated_by"]


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    list_display = ["received_at", "form", "outcome", "source_address", "lead"]
    list_filter = ["outcome", "form"]
    list_select_related = ["form", "lead"]
    raw_id_fields = ["lead", "duplicate_of"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Submissions are evidence: they change only through the Web-to-Lead services.
        return False


admin.site.register(WebToLeadSettings)
