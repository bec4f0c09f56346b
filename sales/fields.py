"""The standard fields of accounts, contacts and opportunities: labels, types, sections, help text.

Seeded into ``core.FieldDefinition`` so that admins can edit labels, help text and descriptions,
and read by forms, record pages, list columns and the criteria engine.
"""

from django.utils.translation import gettext_noop

from core.picklist_values import INDUSTRIES, LEAD_SOURCES, SALUTATIONS

ACCOUNT = "account"
CONTACT = "contact"
OPPORTUNITY = "opportunity"
PRODUCT = "product"
RECORD_TYPE_OBJECTS = (ACCOUNT, CONTACT, OPPORTUNITY)

# (api name, label, type, required, section, help text)
ACCOUNT_FIELDS = [
    ("name", gettext_noop("Account Name"), "text", True, "info", gettext_noop("The company's name. Required.")),
    (
        "website",
        gettext_noop("Website"),
        "url",
        False,
        "info",
        gettext_noop("Company website, such as www.example.com; used to find duplicates."),
    ),
    ("phone", gettext_noop("Phone"), "phone", False, "info", gettext_noop("Main phone number.")),
    (
        "type",
        gettext_noop("Type"),
        "picklist",
        False,
        "info",
        gettext_noop("The relationship: prospect, customer, partner..."),
    ),
    ("industry", gettext_noop("Industry"), "picklist", False, "info", gettext_noop("The company's primary industry.")),
    (
        "rating",
        gettext_noop("Rating"),
        "picklist",
        False,
        "info",
        gettext_noop("How promising the account is: Hot, Warm or Cold."),
    ),
    (
        "owner",
        gettext_noop("Account Owner"),
        "lookup",
        True,
        "info",
        gettext_noop("The user responsible for the account."),
    ),
    (
        "record_type",
        gettext_noop("Record Type"),
        "lookup",
        False,
        "info",
        gettext_noop("Decides which picklist values the account offers."),
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
        gettext_noop("Employees"),
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
        gettext_noop("Anything else worth knowing about the account."),
    ),
    (
        "billing_street",
        gettext_noop("Billing Street"),
        "textarea",
        False,
        "address",
        gettext_noop("Street of the billing address."),
    ),
    (
        "billing_city",
        gettext_noop("Billing City"),
        "text",
        False,
        "address",
        gettext_noop("City of the billing address."),
    ),
    (
        "billing_state",
        gettext_noop("Billing State/Province"),
        "text",
        False,
        "address",
        gettext_noop("State or province."),
    ),
    (
        "billing_postal_code",
        gettext_noop("Billing Zip/Postal Code"),
        "text",
        False,
        "address",
        gettext_noop("Zip or postal code."),
    ),
    (
        "billing_country",
        gettext_noop("Billing Country"),
        "text",
        False,
        "address",
        gettext_noop("Country of the billing address."),
    ),
]

CONTACT_FIELDS = [
    (
        "salutation",
        gettext_noop("Salutation"),
        "picklist",
        False,
        "info",
        gettext_noop("Form of address, such as Ms. or Dr."),
    ),
    ("first_name", gettext_noop("First Name"), "text", False, "info", gettext_noop("The contact's given name.")),
    (
        "last_name",
        gettext_noop("Last Name"),
        "text",
        True,
        "info",
        gettext_noop("The contact's family name. Required."),
    ),
    (
        "account",
        gettext_noop("Account Name"),
        "lookup",
        False,
        "info",
        gettext_noop("The company the contact works for."),
    ),
    ("title", gettext_noop("Title"), "text", False, "info", gettext_noop("Job title, such as VP of Sales.")),
    (
        "email",
        gettext_noop("Email"),
        "email",
        False,
        "info",
        gettext_noop("Work email address; used to find duplicates."),
    ),
    ("phone", gettext_noop("Phone"), "phone", False, "info", gettext_noop("Main phone number.")),
    ("mobile", gettext_noop("Mobile"), "phone", False, "info", gettext_noop("Mobile phone number.")),
    (
        "lead_source",
        gettext_noop("Lead Source"),
        "picklist",
        False,
        "info",
        gettext_noop("How the contact first reached you."),
    ),
    (
        "owner",
        gettext_noop("Contact Owner"),
        "lookup",
        True,
        "info",
        gettext_noop("The user responsible for the contact."),
    ),
    (
        "record_type",
        gettext_noop("Record Type"),
        "lookup",
        False,
        "info",
        gettext_noop("Decides which picklist values the contact offers."),
    ),
    (
        "mailing_street",
        gettext_noop("Mailing Street"),
        "textarea",
        False,
        "address",
        gettext_noop("Street of the mailing address."),
    ),
    (
        "mailing_city",
        gettext_noop("Mailing City"),
        "text",
        False,
        "address",
        gettext_noop("City of the mailing address."),
    ),
    (
        "mailing_state",
        gettext_noop("Mailing State/Province"),
        "text",
        False,
        "address",
        gettext_noop("State or province."),
    ),
    (
        "mailing_postal_code",
        gettext_noop("Mailing Zip/Postal Code"),
        "text",
        False,
        "address",
        gettext_noop("Zip or postal code."),
    ),
    (
        "mailing_country",
        gettext_noop("Mailing Country"),
        "text",
        False,
        "address",
        gettext_noop("Country of the mailing address."),
    ),
    (
        "description",
        gettext_noop("Description"),
        "textarea",
        False,
        "additional",
        gettext_noop("Anything else worth knowing about the contact."),
    ),
    (
        "email_opt_out",
        gettext_noop("Email Opt Out"),
        "checkbox",
        False,
        "additional",
        gettext_noop("Tick if the contact asked not to receive email."),
    ),
    (
        "do_not_call",
        gettext_noop("Do Not Call"),
        "checkbox",
        False,
        "additional",
        gettext_noop("Tick if the contact asked not to be called."),
    ),
]

OPPORTUNITY_FIELDS = [
    (
        "name",
        gettext_noop("Opportunity Name"),
        "text",
        True,
        "info",
        gettext_noop("A short name for the deal, such as Acme - 200 licences. Required."),
    ),
    (
        "account",
        gettext_noop("Account Name"),
        "lookup",
        True,
        "info",
        gettext_noop("The account the deal is with. Required."),
    ),
    (
        "close_date",
        gettext_noop("Close Date"),
        "date",
        True,
        "info",
        gettext_noop("When you expect to close the deal. Required."),
    ),
    (
        "stage",
        gettext_noop("Stage"),
        "picklist",
        True,
        "info",
        gettext_noop("Where the deal stands in your sales process. Required."),
    ),
    (
        "probability",
        gettext_noop("Probability (%)"),
        "percent",
        False,
        "info",
        gettext_noop("Likelihood of closing; defaults to the stage's probability."),
    ),
    (
        "amount",
        gettext_noop("Amount"),
        "currency",
        False,
        "info",
        gettext_noop("Expected revenue. Once the opportunity has products, it is the sum of their totals."),
    ),
    (
        "lead_source",
        gettext_noop("Lead Source"),
        "picklist",
        False,
        "info",
        gettext_noop("How the deal first reached you."),
    ),
    (
        "next_step",
        gettext_noop("Next Step"),
        "text",
        False,
        "info",
        gettext_noop("The next thing to do to move the deal forward."),
    ),
    (
        "owner",
        gettext_noop("Opportunity Owner"),
        "lookup",
        True,
        "info",
        gettext_noop("The user responsible for the deal."),
    ),
    (
        "record_type",
        gettext_noop("Record Type"),
        "lookup",
        False,
        "info",
        gettext_noop("Decides which stages and other values the deal offers."),
    ),
    (
        "description",
        gettext_noop("Description"),
        "textarea",
        False,
        "additional",
        gettext_noop("Anything else worth knowing about the deal."),
    ),
]

STANDARD_FIELDS = {ACCOUNT: ACCOUNT_FIELDS, CONTACT: CONTACT_FIELDS, OPPORTUNITY: OPPORTUNITY_FIELDS}

SECTIONS = {
    ACCOUNT: [
        ("info", gettext_noop("Account Information")),
        ("address", gettext_noop("Address Information")),
        ("additional", gettext_noop("Additional Information")),
    ],
    CONTACT: [
        ("info", gettext_noop("Contact Information")),
        ("address", gettext_noop("Address Information")),
        ("additional", gettext_noop("Additional Information")),
    ],
    OPPORTUNITY: [
        ("info", gettext_noop("Opportunity Information")),
        ("additional", gettext_noop("Additional Information")),
    ],
}

# Standard picklist fields (field api name == model column).
PICKLIST_FIELDS = {
    ACCOUNT: ["type", "industry", "rating"],
    CONTACT: ["salutation", "lead_source"],
    OPPORTUNITY: ["stage", "lead_source"],
}

# Fields written through ``data`` in forms, the API and conversion. Owner, account and record type
# are passed to the services as objects.
_NOT_DATA = {"owner", "account", "record_type"}
WRITABLE_FIELDS = {obj: [f[0] for f in fields if f[0] not in _NOT_DATA] for obj, fields in STANDARD_FIELDS.items()}

SYSTEM_FIELDS = [
    ("created_by", "Created By"),
    ("created_at", "Created Date"),
    ("last_modified_by", "Last Modified By"),
    ("last_modified_at", "Last Modified Date"),
]

# (label, is_default, is_closed, is_won, probability)
STAGES = [
    ("Prospecting", True, False, False, 10),
    ("Qualification", False, False, False, 20),
    ("Needs Analysis", False, False, False, 20),
    ("Value Proposition", False, False, False, 50),
    ("Id. Decision Makers", False, False, False, 60),
    ("Perception Analysis", False, False, False, 70),
    ("Proposal/Price Quote", False, False, False, 75),
    ("Negotiation/Review", False, False, False, 90),
    ("Closed Won", False, True, True, 100),
    ("Closed Lost", False, True, False, 0),
]


def _plain(values: list[str]) -> list[tuple]:
    return [(v, False, False, False, None) for v in values]


DEFAULT_PICKLISTS = {
    ACCOUNT: {
        "type": _plain(["Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"]),
        "industry": _plain(INDUSTRIES),
        "rating": _plain(["Hot", "Warm", "Cold"]),
    },
    CONTACT: {
        "salutation": _plain(SALUTATIONS),
        "lead_source": _plain(LEAD_SOURCES),
    },
    OPPORTUNITY: {
        "stage": STAGES,
        "lead_source": _plain(LEAD_SOURCES),
    },
}

# The roles a contact plays in a deal (Salesforce's standard contact roles).
CONTACT_ROLES = [
    "Business User",
    "Decision Maker",
    "Economic Buyer",
    "Economic Decision Maker",
    "Evaluator",
    "Executive Sponsor",
    "Influencer",
    "Technical Buyer",
    "Other",
]


def section_fields(object_name: str, section: str) -> list[str]:
    return [f[0] for f in STANDARD_FIELDS[object_name] if f[4] == section]


# The seeded stage, type and contact role labels, for the translation catalogs
# (``core.fields.picklist_label``).
TRANSLATED_PICKLIST_LABELS = (
    gettext_noop("Prospecting"),
    gettext_noop("Qualification"),
    gettext_noop("Needs Analysis"),
    gettext_noop("Value Proposition"),
    gettext_noop("Id. Decision Makers"),
    gettext_noop("Perception Analysis"),
    gettext_noop("Proposal/Price Quote"),
    gettext_noop("Negotiation/Review"),
    gettext_noop("Closed Won"),
    gettext_noop("Closed Lost"),
    gettext_noop("Prospect"),
    gettext_noop("Customer - Direct"),
    gettext_noop("Customer - Channel"),
    gettext_noop("Partner"),
    gettext_noop("Business User"),
    gettext_noop("Decision Maker"),
    gettext_noop("Economic Buyer"),
    gettext_noop("Economic Decision Maker"),
    gettext_noop("Evaluator"),
    gettext_noop("Executive Sponsor"),
    gettext_noop("Influencer"),
    gettext_noop("Technical Buyer"),
)
