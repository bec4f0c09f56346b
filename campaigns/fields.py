"""The standard fields of campaigns and their default picklist values, seeded into
``core.FieldDefinition`` / ``core.PicklistValue`` so that admins can relabel them and add values."""

from django.utils.translation import gettext_lazy as _

CAMPAIGN = "campaign"

# (api name, label, type, required, section, help text)
CAMPAIGN_FIELDS = [
    ("name", "Campaign Name", "text", True, "info", "A short name for the campaign. Required."),
    ("type", "Type", "picklist", False, "info", "The kind of campaign: webinar, trade show, email..."),
    ("status", "Status", "picklist", False, "info", "Where the campaign stands: planned, in progress..."),
    ("start_date", "Start Date", "date", False, "info", "When the campaign starts."),
    ("end_date", "End Date", "date", False, "info", "When the campaign ends; not before the start date."),
    ("parent", "Parent Campaign", "lookup", False, "info", "The campaign this one is part of; totals roll up."),
    ("owner", "Campaign Owner", "lookup", True, "info", "The user responsible for the campaign."),
    ("is_active", "Active", "checkbox", False, "info", "Only active campaigns take new members from web forms."),
    ("tracking_code", "Tracking Code", "text", False, "info", "The utm_campaign value that names this campaign."),
    ("budgeted_cost", "Budgeted Cost", "currency", False, "planning", "What the campaign may cost."),
    ("actual_cost", "Actual Cost", "currency", False, "planning", "What the campaign cost; used for ROI."),
    ("expected_revenue", "Expected Revenue", "currency", False, "planning", "Revenue you expect it to bring."),
    (
        "expected_response",
        "Expected Response (%)",
        "percent",
        False,
        "planning",
        "Share of members expected to respond.",
    ),
    ("description", "Description", "textarea", False, "planning", "Anything else worth knowing about the campaign."),
]

SECTIONS = [("info", _("Campaign Information")), ("planning", _("Planning"))]

PICKLIST_FIELDS = ("type", "status")

DEFAULT_PICKLISTS = {
    "type": ["Webinar", "Trade Show", "Email", "Advertisement", "Referral Program", "Other"],
    "status": ["Planned", "In Progress", "Completed", "Aborted"],
}
DEFAULT_STATUS = "Planned"

# Every new campaign's member status list: (label, counts as responded, is default).
DEFAULT_MEMBER_STATUSES = [("Sent", False, True), ("Responded", True, False)]
