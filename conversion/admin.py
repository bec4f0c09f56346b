from django.contrib import admin

from .models import LeadConversion, LeadFieldMapping


@admin.register(LeadConversion)
class LeadConversionAdmin(admin.ModelAdmin):
    """Read-only: conversions are written by ``conversion.services.lead_convert`` only."""

    list_display = ("lead", "account", "contact", "opportunity", "converted_status", "converted_by", "converted_at")
    list_select_related = ("lead", "account", "contact", "opportunity", "converted_by")
    date_hierarchy = "converted_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LeadFieldMapping)
class LeadFieldMappingAdmin(admin.ModelAdmin):
    """Read-only here: mappings are checked for type compatibility by the Setup page's service."""

    list_display = ("lead_field", "target_object", "target_field", "created_by", "created_at")
    list_select_related = ("lead_field", "target_field", "created_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
