"""The standard fields of accounts, contacts and opportunities: labels, types, sections, help text.

Seeded into ``core.FieldDefinition`` so that admins can edit labels, help text and descriptions,
and read by forms, record pages, list columns and the criteria engine.
"""

from core.picklist_values import INDUSTRIES, LEAD_SOURCES, SALUTATIONS

ACCOUNT = "account"
CONTACT = "contact"
OPPORTUNITY = "opportunity"
PRODUCT = "product"
RECORD_TYPE_OBJECTS = (ACCOUNT, CONTACT, OPPORTUNITY)

# (api name, label, type, required, section, help text)
ACCOUNT_FIELDS = [
    ("name", "Account Name", "text", True, "info", "The company's name. Required."),
    ("website", "Website", "url", False, "info", "Company website, such as www.example.com; used to find duplicates."),
    ("phone", "Phone", "phone", False, "info", "Main phone number."),
    ("type", "Type", "picklist", False, "info", "The relationship: prospect, customer, partner..."),
    ("industry", "Industry", "picklist", False, "info", "The company's primary industry."),
    ("rating", "Rating", "picklist", False, "info", "How promising the account is: Hot, Warm or Cold."),
    ("owner", "Account Owner", "lookup", True, "info", "The user responsible for the account."),
    ("record_type", "Record Type", "lookup", False, "info", "Decides which picklist values the account offers."),
    ("annual_revenue", "Annual Revenue", "currency", False, "additional", "The company's yearly revenue."),
    ("number_of_employees", "Employees", "number", False, "additional", "Head count of the company."),
    ("description", "Description", "textarea", False, "additional", "Anything else worth knowing about the account."),
    ("billing_street", "Billing Street", "textarea", False, "address", "Street of the billing address."),
    ("billing_city", "Billing City", "text", False, "address", "City of the billing address."),
    ("billing_state", "Billing State/Province", "text", False, "address", "State or province."),
    ("billing_postal_code", "Billing Zip/Postal Code", "text", False, "address", "Zip or postal code."),
    ("billing_country", "Billing Country", "text", False, "address", "Country of the billing address."),
]

CONTACT_FIELDS = [
    ("salutation", "Salutation", "picklist", False, "info", "Form of address, such as Ms. or Dr."),
    ("first_name", "First Name", "text", False, "info", "The contact's given name."),
    ("last_name", "Last Name", "text", True, "info", "The contact's family name. Required."),
    ("account", "Account Name", "lookup", False, "info", "The company the contact works for."),
    ("title", "Title", "text", False, "info", "Job title, such as VP of Sales."),
    ("email", "Email", "email", False, "info", "Work email address; used to find duplicates."),
    ("phone", "Phone", "phone", False, "info", "Main phone number."),
    ("mobile", "Mobile", "phone", False, "info", "Mobile phone number."),
    ("lead_source", "Lead Source", "picklist", False, "info", "How the contact first reached you."),
    ("owner", "Contact Owner", "lookup", True, "info", "The user responsible for the contact."),
    ("record_type", "Record Type", "lookup", False, "info", "Decides which picklist values the contact offers."),
    ("mailing_street", "Mailing Street", "textarea", False, "address", "Street of the mailing address."),
    ("mailing_city", "Mailing City", "text", False, "address", "City of the mailing address."),
    ("mailing_state", "Mailing State/Province", "text", False, "address", "State or province."),
    ("mailing_postal_code", "Mailing Zip/Postal Code", "text", False, "address", "Zip or postal code."),
    ("mailing_country", "Mailing Country", "text", False, "address", "Country of the mailing address."),
    ("description", "Description", "textarea", False, "additional", "Anything else worth knowing about the contact."),
    (
        "email_opt_out",
        "Email Opt Out",
        "checkbox",
        False,
        "additional",
        "Tick if the contact asked not to receive email.",
    ),
    ("do_not_call", "Do Not Call", "checkbox", False, "additional", "Tick if the contact asked not to be called."),
]

OPPORTUNITY_FIELDS = [
    (
        "name",
        "Opportunity Name",
        "text",
        True,
        "info",
        "A short name for the deal, such as Acme - 200 licences. Required.",
    ),
    ("account", "Account Name", "lookup", True, "info", "The account the deal is with. Required."),
    ("close_date", "Close Date", "date", True, "info", "When you expect to close the deal. Required."),
    ("stage", "Stage", "picklist", True, "info", "Where the deal stands in your sales process. Required."),
    (
        "probability",
        "Probability (%)",
        "percent",
        False,
        "info",
        "Likelihood of closing; defaults to the stage's probability.",
    ),
    (
        "amount",
        "Amount",
        "currency",
        False,
        "info",
        "Expected revenue. Once the opportunity has products, it is the sum of their totals.",
    ),
    ("lead_source", "Lead Source", "picklist", False, "info", "How the deal first reached you."),
    ("next_step", "Next Step", "text", False, "info", "The next thing to do to move the deal forward."),
    ("owner", "Opportunity Owner", "lookup", True, "info", "The user responsible for the deal."),
    ("record_type", "Record Type", "lookup", False, "info", "Decides which stages and other values the deal offers."),
    ("description", "Description", "textarea", False, "additional", "Anything else worth knowing about the deal."),
]

STANDARD_FIELDS = {ACCOUNT: ACCOUNT_FIELDS, CONTACT: CONTACT_FIELDS, OPPORTUNITY: OPPORTUNITY_FIELDS}

SECTIONS = {
    ACCOUNT: [
        ("info", "Account Information"),
        ("address", "Address Information"),
        ("additional", "Additional Information"),
    ],
    CONTACT: [
        ("info", "Contact Information"),
        ("address", "Address Information"),
        ("additional", "Additional Information"),
    ],
    OPPORTUNITY: [("info", "Opportunity Information"), ("additional", "Additional Information")],
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
