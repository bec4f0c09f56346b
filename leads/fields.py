"""The standard lead fields: labels, types, sections and help text.

Seeded into ``core.FieldDefinition`` so that admins can edit labels, help text and descriptions,
and read by forms, the record page, list columns and the criteria engine.
"""

from core.picklist_values import INDUSTRIES, LEAD_SOURCES, SALUTATIONS

OBJECT_NAME = "lead"

# (api name, label, type, required, section, help text)
STANDARD_FIELDS = [
    ("salutation", "Salutation", "picklist", False, "info", "Form of address, such as Ms. or Dr."),
    ("first_name", "First Name", "text", False, "info", "The lead's given name."),
    ("last_name", "Last Name", "text", True, "info", "The lead's family name. Required."),
    ("title", "Title", "text", False, "info", "Job title, such as VP of Sales."),
    (
        "company",
        "Company",
        "text",
        True,
        "info",
        "The lead's company; becomes the account name on conversion. Required.",
    ),
    ("email", "Email", "email", False, "info", "Work email address; used for auto-responses and duplicate checks."),
    ("phone", "Phone", "phone", False, "info", "Main phone number."),
    ("mobile", "Mobile", "phone", False, "info", "Mobile phone number."),
    ("fax", "Fax", "phone", False, "info", "Fax number."),
    ("website", "Website", "url", False, "info", "Company website, such as www.example.com."),
    ("status", "Lead Status", "picklist", True, "info", "Where the lead stands in your sales process. Required."),
    ("lead_source", "Lead Source", "picklist", False, "info", "How the lead first reached you."),
    ("rating", "Rating", "picklist", False, "info", "How promising the lead is: Hot, Warm or Cold."),
    ("owner", "Lead Owner", "lookup", True, "info", "The user or queue that works the lead."),
    ("street", "Street", "textarea", False, "address", "Street address."),
    ("city", "City", "text", False, "address", "City."),
    ("state", "State/Province", "text", False, "address", "State or province."),
    ("postal_code", "Zip/Postal Code", "text", False, "address", "Zip or postal code."),
    ("country", "Country", "text", False, "address", "Country."),
    ("industry", "Industry", "picklist", False, "additional", "The company's primary industry."),
    ("annual_revenue", "Annual Revenue", "currency", False, "additional", "The company's yearly revenue."),
    ("number_of_employees", "No. of Employees", "number", False, "additional", "Head count of the company."),
    ("description", "Description", "textarea", False, "additional", "Anything else worth knowing about the lead."),
    ("email_opt_out", "Email Opt Out", "checkbox", False, "additional", "Tick if the lead asked not to receive email."),
    ("do_not_call", "Do Not Call", "checkbox", False, "additional", "Tick if the lead asked not to be called."),
]

SECTIONS = [
    ("info", "Lead Information"),
    ("address", "Address Information"),
    ("additional", "Additional Information"),
]

# Standard picklist fields (field api name == model column).
PICKLIST_FIELDS = ["salutation", "status", "lead_source", "rating", "industry"]

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
}
