"""Writes to accounts, contacts, opportunities, their products and contact roles, the product
catalogue and record types. The browser, the API, conversion and the demo data all call these.

Accounts, contacts and opportunities share one engine (``common``): model rules, picklists
(restricted by the record type), custom fields, history and optimistic concurrency. Each object
or step has its own module; every public name is importable from ``sales.services``.
"""

from .accounts import account_create, account_delete, account_restore, account_update
from .common import RecordEditConflict
from .contact_roles import opportunity_contact_role_add, opportunity_contact_role_remove
from .contacts import contact_create, contact_delete, contact_restore, contact_update
from .line_items import opportunity_line_item_add, opportunity_line_item_remove, opportunity_line_item_update
from .opportunities import opportunity_create, opportunity_delete, opportunity_restore, opportunity_update
from .products import product_create, product_update
from .record_types import record_type_create, record_type_default_set, record_type_update

__all__ = [
    "RecordEditConflict",
    "account_create",
    "account_delete",
    "account_restore",
    "account_update",
    "contact_create",
    "contact_delete",
    "contact_restore",
    "contact_update",
    "opportunity_contact_role_add",
    "opportunity_contact_role_remove",
    "opportunity_create",
    "opportunity_delete",
    "opportunity_line_item_add",
    "opportunity_line_item_remove",
    "opportunity_line_item_update",
    "opportunity_restore",
    "opportunity_update",
    "product_create",
    "product_update",
    "record_type_create",
    "record_type_default_set",
    "record_type_update",
]
