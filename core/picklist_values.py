"""Default values of the picklists several objects share (industry, lead source, salutation), so
that conversion carries a lead's value over to the account, contact and opportunity one to one."""

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
