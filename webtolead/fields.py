"""The field names of Salesforce's generated Web-to-Lead HTML and the lead fields they fill.

A company moving off Salesforce keeps its form and changes only the action URL, so the endpoint
reads these names; custom fields are posted by their API name (``Budget__c``).
"""

# Salesforce name -> lead field (model column / FieldDefinition api name).
SALESFORCE_FIELDS: dict[str, str] = {
    "salutation": "salutation",
    "first_name": "first_name",
    "last_name": "last_name",
    "title": "title",
    "company": "company",
    "email": "email",
    "phone": "phone",
    "mobile": "mobile",
    "fax": "fax",
    "URL": "website",
    "street": "street",
    "city": "city",
    "state": "state",
    "zip": "postal_code",
    "country": "country",
    "description": "description",
    "lead_source": "lead_source",
    "industry": "industry",
    "rating": "rating",
    "revenue": "annual_revenue",
    "employees": "number_of_employees",
    "emailOptOut": "email_opt_out",
    "doNotCall": "do_not_call",
    "lead_status": "status",
}
LEAD_TO_SALESFORCE = {lead: sf for sf, lead in SALESFORCE_FIELDS.items()}

# Names the endpoint reads that are not lead fields.
FORM_KEY_FIELD = "oid"
RETURN_URL_FIELD = "retURL"
CAMPAIGN_FIELD = "Campaign_ID"
MEMBER_STATUS_FIELD = "member_status"
# Our own hidden fields in the generated HTML.
HONEYPOT_FIELD = "w2l_website2"
TIMESTAMP_FIELD = "w2l_ts"
SUBMISSION_KEY_FIELD = "w2l_key"
FORM_KEY_ALT_FIELD = "w2l_form"

ALWAYS_REQUIRED = ("last_name", "company")
# Salesforce names in the order the form builder offers them.
STANDARD_ORDER = [
    "salutation",
    "first_name",
    "last_name",
    "title",
    "company",
    "email",
    "phone",
    "mobile",
    "fax",
    "URL",
    "street",
    "city",
    "state",
    "zip",
    "country",
    "industry",
    "revenue",
    "employees",
    "rating",
    "lead_source",
    "description",
    "emailOptOut",
    "doNotCall",
]
DEFAULT_FORM_FIELDS = ["first_name", "last_name", "email", "company", "phone", "description"]


def salesforce_name(lead_field: str) -> str:
    """The name a visitor's form uses for a lead field (custom fields keep their API name)."""
    return LEAD_TO_SALESFORCE.get(lead_field, lead_field)
