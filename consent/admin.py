from django.contrib import admin

from .models import ConsentRecord, ConsentText, DataRequest, FormConsent, Suppression


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "lead", "contact", "purpose", "action", "source")
    list_filter = ("purpose", "action", "source")
    raw_id_fields = ("lead", "contact")


admin.site.register(ConsentText)
admin.site.register(FormConsent)
admin.site.register(Suppression)
admin.site.register(DataRequest)
