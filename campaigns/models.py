"""Campaigns (with their hierarchy), the people in them and the opportunities they brought."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from core.roles import display_name


class Campaign(models.Model):
    """A marketing effort (a webinar, a trade show, an email...) whose members are leads and
    contacts; child campaigns roll their totals up into their parent."""

    name = models.CharField(gettext_lazy("campaign name"), max_length=255)
    # Picklists ("campaign", "type") and ("campaign", "status"): records store the api name.
    type = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    budgeted_cost = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    actual_cost = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    expected_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    # Expected share of members who respond, in percent.
    expected_response = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("active", default=True)
    description = models.TextField(max_length=32000, blank=True)
    # What utm_campaign (or a posted Campaign_ID) names this campaign by.
    tracking_code = models.CharField(max_length=80, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified_at = models.DateTimeField()
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Bumped by every write; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="campaign_name_required"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="campaign_end_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(budgeted_cost__isnull=True) | Q(budgeted_cost__gte=0))
                & (Q(actual_cost__isnull=True) | Q(actual_cost__gte=0))
                & (Q(expected_revenue__isnull=True) | Q(expected_revenue__gte=0)),
                name="campaign_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(expected_response__isnull=True)
                | (Q(expected_response__gte=0) & Q(expected_response__lte=100)),
                name="campaign_expected_response_percent",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="campaign_not_own_parent"),
            models.UniqueConstraint(
                Lower("tracking_code"), condition=~Q(tracking_code=""), name="campaigns_campaign_tracking_code_ci"
            ),
        ]
        indexes = [
            models.Index(fields=["parent"], condition=Q(parent__isnull=False), name="campaign_parent_idx"),
            models.Index(fields=["owner", "name"], name="campaign_owner_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_name(self) -> str:
        return display_name(self.owner) if self.owner_id else ""


class CampaignMemberStatus(models.Model):
    """One value of a campaign's own member status list; ``counts_as_responded`` values make a
    member a responder. Each campaign starts with Sent (the default) and Responded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="member_statuses")
    label = models.CharField(max_length=120)
    counts_as_responded = models.BooleanField("responded", default=False)
    is_default = models.BooleanField(default=False)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "sort_order", "id"]
        verbose_name_plural = "campaign member statuses"
        constraints = [
            models.CheckConstraint(condition=~Q(label=""), name="campaignmemberstatus_label_required"),
            models.UniqueConstraint("campaign", Lower("label"), name="campaigns_campaignmemberstatus_label_ci"),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(is_default=True), name="campaignmemberstatus_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class CampaignMember(models.Model):
    """A lead or a contact in a campaign, once each. When a lead is converted its row passes to the
    contact, and ``converted_lead`` remembers the lead it came from."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    contact = models.ForeignKey(
        "sales.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    converted_lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    status = models.ForeignKey(CampaignMemberStatus, on_delete=models.PROTECT, related_name="members")
    has_responded = models.BooleanField(default=False)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lead__isnull=False) & Q(contact__isnull=True))
                | (Q(lead__isnull=True) & Q(contact__isnull=False)),
                name="campaignmember_lead_or_contact",
            ),
            models.UniqueConstraint(
                fields=["campaign", "lead"], condition=Q(lead__isnull=False), name="campaignmember_unique_lead"
            ),
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                condition=Q(contact__isnull=False),
                name="campaignmember_unique_contact",
            ),
            models.CheckConstraint(
                condition=Q(has_responded=False) | Q(first_responded_at__isnull=False),
                name="campaignmember_responded_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["lead", "created_at"], condition=Q(lead__isnull=False), name="campaignmember_lead_idx"
            ),
            models.Index(
                fields=["contact", "created_at"], condition=Q(contact__isnull=False), name="campaignmember_contact_idx"
            ),
            models.Index(
                fields=["converted_lead"], condition=Q(converted_lead__isnull=False), name="campaignmember_conv_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.campaign_id}"

    @property
    def person(self):
        return self.lead if self.lead_id else self.contact


class CampaignInfluence(models.Model):
    """The campaign an opportunity is attributed to: the primary campaign source of the lead it was
    converted from (the lead's first campaign)."""

    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.CASCADE, related_name="campaign_influences")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="influences")
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_primary = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "campaign"], name="campaigninfluence_unique"),
            models.UniqueConstraint(
                fields=["opportunity"], condition=Q(is_primary=True), name="campaigninfluence_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"Opportunity {self.opportunity_id} ← campaign {self.campaign_id}"
