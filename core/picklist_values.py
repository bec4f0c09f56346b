"""Default values of the picklists several objects share (industry, lead source, salutation), so
that conversion carries a lead's value over to the account, contact and opportunity one to one."""

from django.utils.translation import gettext_noop

INDUSTRIES = [
    "Agriculture",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Finance",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Retail",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
]
LEAD_SOURCES = [
    "Advertisement",
    "Customer Event",
    "Employee Referral",
    "Purchased List",
    "Trade Show",
    "Webinar",
    "Website",
    "Partner Referral",
    "Phone Inquiry",
    "Cold Call",
    "Other",
]
SALUTATIONS = ["Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx."]

# Value sets shared by several objects, like Salesforce's global value sets: a value added,
# relabelled, reordered, activated, deactivated or deleted on one object's field changes on every
# object listed, so that conversion carries any value over. Field api name -> objects.
GLOBAL_VALUE_SETS: dict[str, tuple[str, ...]] = {"lead_source": ("lead", "contact", "opportunity")}


def value_set_objects(object_name: str, field_name: str) -> tuple[str, ...]:
    """The objects whose ``field_name`` picklist shares its values with ``object_name``'s (itself
    first), or just ``object_name`` for a picklist of its own."""
    shared = GLOBAL_VALUE_SETS.get(field_name, ())
    if object_name not in shared:
        return (object_name,)
    return (object_name, *(name for name in shared if name != object_name))


# The seeded labels, for the translation catalogs: a value's label is shown in the user's language
# while it is the seeded one (``core.fields.picklist_label``).
TRANSLATED_LABELS = (
    gettext_noop("Agriculture"),
    gettext_noop("Banking"),
    gettext_noop("Biotechnology"),
    gettext_noop("Chemicals"),
    gettext_noop("Communications"),
    gettext_noop("Construction"),
    gettext_noop("Consulting"),
    gettext_noop("Education"),
    gettext_noop("Electronics"),
    gettext_noop("Energy"),
    gettext_noop("Engineering"),
    gettext_noop("Entertainment"),
    gettext_noop("Finance"),
    gettext_noop("Government"),
    gettext_noop("Healthcare"),
    gettext_noop("Hospitality"),
    gettext_noop("Insurance"),
    gettext_noop("Manufacturing"),
    gettext_noop("Media"),
    gettext_noop("Not For Profit"),
    gettext_noop("Retail"),
    gettext_noop("Technology"),
    gettext_noop("Telecommunications"),
    gettext_noop("Transportation"),
    gettext_noop("Utilities"),
    gettext_noop("Other"),
    gettext_noop("Advertisement"),
    gettext_noop("Customer Event"),
    gettext_noop("Employee Referral"),
    gettext_noop("Purchased List"),
    gettext_noop("Trade Show"),
    gettext_noop("Webinar"),
    gettext_noop("Website"),
    gettext_noop("Partner Referral"),
    gettext_noop("Phone Inquiry"),
    gettext_noop("Cold Call"),
    gettext_noop("Mr."),
    gettext_noop("Ms."),
    gettext_noop("Mrs."),
    gettext_noop("Dr."),
    gettext_noop("Prof."),
    gettext_noop("Mx."),
)
