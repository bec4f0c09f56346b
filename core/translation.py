"""Labels stored in the database, shown in the user's language while they are the seeded ones."""

from django.utils.translation import gettext


def picklist_label(label: str) -> str:
    """A picklist value's label in the user's language: the seeded labels are in the catalogs
    (each object's fields module lists them); a label an admin wrote is shown as written."""
    return gettext(label) if label else label
