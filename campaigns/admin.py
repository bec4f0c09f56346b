from django.contrib import admin

from .models import Campaign, CampaignInfluence, CampaignMember, CampaignMemberStatus


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "status", "is_active", "owner")
    search_fields = ("name", "tracking_code")
    raw_id_fields = ("parent", "owner", "created_by", "last_modified_by")


@admin.register(CampaignMember)
class CampaignMemberAdmin(admin.ModelAdmin):
    list_display = ("campaign", "lead", "contact", "status", "has_responded")
    raw_id_fields = ("campaign", "lead", "contact", "converted_lead", "status", "created_by")


admin.site.register(CampaignMemberStatus)
admin.site.register(CampaignInfluence)
