from django.contrib import admin

from .models import AutoResponseEntry, AutoResponseRule, AutoResponseSettings, EmailFolder, EmailTemplate, OutboundEmail


@admin.register(EmailFolder)
class EmailFolderAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "folder", "subject", "is_active", "updated_at")
    list_filter = ("is_active", "folder")
    search_fields = ("name", "subject")
    # Writes go through the app's pages (services validate merge fields and sanitise HTML).
    readonly_fields = ("subject", "body_text", "body_html")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "status", "to_address", "subject", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("to_address", "subject", "idempotency_key")
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False


class AutoResponseEntryInline(admin.TabularInline):
    model = AutoResponseEntry
    extra = 0
    readonly_fields = ("sort_order", "criteria", "filter_logic", "template", "from_name", "from_address", "reply_to")


@admin.register(AutoResponseRule)
class AutoResponseRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")
    inlines = [AutoResponseEntryInline]
    readonly_fields = ("is_active",)


admin.site.register(AutoResponseSettings)
