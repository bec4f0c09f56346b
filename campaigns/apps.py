from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from core.registry import (
            ObjectSpec,
            RecordPart,
            register_conversion_hook,
            register_lead_campaign_hook,
            register_object,
            register_record_part,
            register_web_to_lead_hook,
        )
        from core.roles import MARKETING_ADMIN, SALES_REP, grant

        from . import services
        from .fields import CAMPAIGN, PICKLIST_FIELDS
        from .models import Campaign
        from .parts import contact_campaign_history, lead_campaign_history, opportunity_campaign_source

        register_object(
            ObjectSpec(
                name=CAMPAIGN,
                label=gettext_lazy("Campaign"),
                model=Campaign,
                picklist_fields={f: f for f in PICKLIST_FIELDS},
            )
        )
        register_record_part(RecordPart("lead", "campaigns", lead_campaign_history, order=40))
        register_record_part(RecordPart("contact", "campaigns", contact_campaign_history, order=40))
        register_record_part(RecordPart("opportunity", "campaigns", opportunity_campaign_source, order=10))
        register_web_to_lead_hook(services.web_to_lead_campaign)
        register_conversion_hook(services.conversion_carry_campaigns)
        register_lead_campaign_hook(services.lead_campaigns_join)
        grant(SALES_REP, "campaigns.view_campaign", "campaigns.view_campaignmember")
        grant(
            MARKETING_ADMIN,
            *[
                f"campaigns.{action}_{model}"
                for model in ("campaign", "campaignmember", "campaignmemberstatus", "campaigninfluence")
                for action in ("view", "add", "change", "delete")
            ],
        )

        # A merge of leads moves these rows to the master lead (and back when it is undone).
        from core.registry import ReparentSpec, register_reparent

        from .models import CampaignMember

        for spec in (
            ReparentSpec("lead", CampaignMember, "lead", unique_with=("campaign",), label="campaign memberships"),
        ):
            register_reparent(spec)
