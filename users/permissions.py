"""The permissions a permission set may grant, by area, with the words the Setup page shows.

Roles already give reps, marketing admins and system admins what their work needs; these are the
permissions worth granting to one person on top of a role."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.roles import EXPORT_RECORDS, MANAGE_CAMPAIGNS, VIEW_CONVERTED_LEADS

# The bulk API's permission (bulk.IngestJob's Meta.permissions).
IMPORT_RECORDS = "bulk.import_records"


@dataclass(frozen=True)
class Assignable:
    codename: str  # "app_label.codename"
    label: str
    description: str
    area: str


ASSIGNABLE: tuple[Assignable, ...] = (
    Assignable(
        VIEW_CONVERTED_LEADS,
        _("View and Edit Converted Leads"),
        _("Open and edit leads after they were converted."),
        _("Leads"),
    ),
    Assignable("leads.delete_lead", _("Delete Leads"), _("Move leads to the Recycle Bin."), _("Leads")),
    Assignable(EXPORT_RECORDS, _("Export"), _("Download reports and list views as CSV."), _("Data")),
    Assignable(
        IMPORT_RECORDS, _("Import"), _("Load, update and delete leads in bulk through the bulk API."), _("Data")
    ),
    Assignable(
        MANAGE_CAMPAIGNS,
        _("Manage Campaigns"),
        _("Create, edit and delete any campaign and its members."),
        _("Campaigns"),
    ),
    Assignable("sales.delete_account", _("Delete Accounts"), _("Move accounts to the Recycle Bin."), _("Sales")),
    Assignable("sales.delete_contact", _("Delete Contacts"), _("Move contacts to the Recycle Bin."), _("Sales")),
    Assignable(
        "sales.delete_opportunity",
        _("Delete Opportunities"),
        _("Move opportunities to the Recycle Bin."),
        _("Sales"),
    ),
)
BY_CODENAME = {item.codename: item for item in ASSIGNABLE}

# The permission sets that come with the app: key -> (name, description, permissions).
STANDARD_SETS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "view-edit-converted-leads": (
        "View and Edit Converted Leads",
        "Lets a user open and edit converted leads.",
        (VIEW_CONVERTED_LEADS,),
    ),
    "export": ("Export", "Lets a user download reports and list views as CSV.", (EXPORT_RECORDS,)),
    "import": ("Import", "Lets a user load, update and delete leads through the bulk API.", (IMPORT_RECORDS,)),
    "manage-campaigns": (
        "Manage Campaigns",
        "Lets a user create, edit and delete any campaign.",
        (MANAGE_CAMPAIGNS,),
    ),
}
