"""The standard lead fields: labels, types, sections and help text.

Seeded into ``core.FieldDefinition`` so that admins can edit labels, help text and descriptions,
and read by forms, the record page, list columns and the criteria engine.
"""

from django.utils.translation import gettext_noop

from core.picklist_values import INDUSTRIES, LEAD_SOURCES, SALUTATIONS

OBJECT_NAME = "lead"

# (api name, label, type, required, section, help text)
STANDARD_FIELDS = [
    (
        "salutation",
        gettext_noop("Salutation"),
        "picklist",
        False,
        "info",
        gettext_noop("Form of address, such as Ms. or Dr."),
    ),
    ("first_name", gettext_noop("First Name"), "text", False, "info", gettext_noop("The lead's given name.")),
    ("last_name", gettext_noop("Last Name"), "text", True, "info", gettext_noop("The lead's family name. Required.")),
    ("title", gettext_noop("Title"), "text", False, "info", gettext_noop("Job title, such as VP of Sales.")),
    (
        "company",
        gettext_noop("Company"),
        "text",
        True,
        "info",
        gettext_noop("The lead's company; becomes the account name on conversion. Required."),
    ),
    (
        "email",
        gettext_noop("Email"),
        "email",
        False,
        "info",
        gettext_noop("Work email address; used for auto-responses and duplicate checks."),
    ),
    ("phone", gettext_noop("Phone"), "phone", False, "info", gettext_noop("Main phone number.")),
    ("mobile", gettext_noop("Mobile"), "phone", False, "info", gettext_noop("Mobile phone number.")),
    ("fax", gettext_noop("Fax"), "phone", False, "info", gettext_noop("Fax number.")),
    (
        "website",
        gettext_noop("Website"),
        "url",
        False,
        "info",
        gettext_noop("Company website, such as www.example.com."),
    ),
    (
        "status",
        gettext_noop("Lead Status"),
        "picklist",
        True,
        "info",
        gettext_noop("Where the lead stands in your sales process. Required."),
    ),
    (
        "lead_source",
        gettext_noop("Lead Source"),
        "picklist",
        False,
        "info",
        gettext_noop("How the lead first reached you."),
    ),
    (
        "rating",
        gettext_noop("Rating"),
        "picklist",
        False,
        "info",
        gettext_noop("How promising the lead is: Hot, Warm or Cold."),
    ),
    (
        "owner",
        gettext_noop("Lead Owner"),
        "lookup",
        True,
        "info",
        gettext_noop("The user or queue that works the lead."),
    ),
    ("street", gettext_noop("Street"), "textarea", False, "address", gettext_noop("Street address.")),
    ("city", gettext_noop("City"), "text", False, "address", gettext_noop("City.")),
    ("state", gettext_noop("State/Province"), "text", False, "address", gettext_noop("State or province.")),
    ("postal_code", gettext_noop("Zip/Postal Code"), "text", False, "address", gettext_noop("Zip or postal code.")),
    ("country", gettext_noop("Country"), "text", False, "address", gettext_noop("Country.")),
    (
        "industry",
        gettext_noop("Industry"),
        "picklist",
        False,
        "additional",
        gettext_noop("The company's primary industry."),
    ),
    (
        "annual_revenue",
        gettext_noop("Annual Revenue"),
        "currency",
        False,
        "additional",
        gettext_noop("The company's yearly revenue."),
    ),
    (
        "number_of_employees",
        gettext_noop("No. of Employees"),
        "number",
        False,
        "additional",
        gettext_noop("Head count of the company."),
    ),
    (
        "description",
        gettext_noop("Description"),
        "textarea",
        False,
        "additional",
        gettext_noop("Anything else worth knowing about the lead."),
    ),
    (
        "email_opt_out",
        gettext_noop("Email Opt Out"),
        "checkbox",
        False,
        "additional",
        gettext_noop("Tick if the lead asked not to receive email."),
    ),
    (
        "do_not_call",
        gettext_noop("Do Not Call"),
        "checkbox",
        False,
        "additional",
        gettext_noop("Tick if the lead asked not to be called."),
    ),
    (
        "unqualified_reason",
        gettext_noop("Unqualified Reason"),
        "picklist",
        False,
        "info",
        gettext_noop("Why the lead was closed as unqualified; required with a closed status."),
    ),
]

SECTIONS = [
    ("info", gettext_noop("Lead Information")),
    ("address", gettext_noop("Address Information")),
    ("additional", gettext_noop("Additional Information")),
]

# Standard picklist fields (field api name == model column).
PICKLIST_FIELDS = ["salutation", "status", "lead_source", "rating", "industry", "unqualified_reason"]

# Fields a user writes through forms and the API (owner goes through the change-owner path).
WRITABLE_FIELDS = [f[0] for f in STANDARD_FIELDS if f[0] != "owner"]

SYSTEM_FIELDS = [
    ("created_by", "Created By"),
    ("created_at", "Created Date"),
    ("last_modified_by", "Last Modified By"),
    ("last_modified_at", "Last Modified Date"),
    ("is_converted", "Converted"),
    ("converted_at", "Converted Date"),
]

UNQUALIFIED_REASONS = [
    gettext_noop("No Budget"),
    gettext_noop("No Authority"),
    gettext_noop("No Need"),
    gettext_noop("Bad Timing"),
    gettext_noop("Competitor"),
    gettext_noop("Duplicate"),
    gettext_noop("Other"),
]

DEFAULT_PICKLISTS = {
    "status": [
        # (label, default, converted)
        ("New", True, False),
        ("Working", False, False),
        ("Nurturing", False, False),
        ("Unqualified", False, False),
        ("Qualified", False, True),
    ],
    "lead_source": [(v, False, False) for v in LEAD_SOURCES],
    "industry": [(v, False, False) for v in INDUSTRIES],
    "rating": [("Hot", False, False), ("Warm", False, False), ("Cold", False, False)],
    "salutation": [(v, False, False) for v in SALUTATIONS],
    "unqualified_reason": [(v, False, False) for v in UNQUALIFIED_REASONS],
}

# The seeded status and rating labels, for the translation catalogs (``core.fields.picklist_label``).
TRANSLATED_PICKLIST_LABELS = (
    gettext_noop("New"),
    gettext_noop("Working"),
    gettext_noop("Nurturing"),
    gettext_noop("Unqualified"),
    gettext_noop("Qualified"),
    gettext_noop("Hot"),
    gettext_noop("Warm"),
    gettext_noop("Cold"),
    *UNQUALIFIED_REASONS,
)
