"""Pages of accounts, contacts, opportunities, the product catalogue and record types.

Views are thin: permission -> form -> service -> message + redirect. Reads come from the
user-scoped selectors; editing someone else's record is a 403. Each object or step has its own
module; every view is importable from ``sales.views``.
"""

from .accounts import (
    account_create,
    account_delete,
    account_detail,
    account_duplicates,
    account_edit,
    account_inline_edit,
    account_list,
)
from .contact_roles import opportunity_contact_role_add, opportunity_contact_role_remove
from .contacts import contact_create, contact_delete, contact_detail, contact_edit, contact_inline_edit, contact_list
from .line_items import opportunity_product_add, opportunity_product_edit, opportunity_product_remove
from .opportunities import (
    opportunity_create,
    opportunity_delete,
    opportunity_detail,
    opportunity_edit,
    opportunity_inline_edit,
    opportunity_list,
    opportunity_stage,
)
from .products import product_create, product_detail, product_edit, product_list
from .record_types import recordtype_create, recordtype_default_set, recordtype_detail, recordtype_edit, recordtype_list

__all__ = [
    "account_create",
    "account_delete",
    "account_detail",
    "account_duplicates",
    "account_edit",
    "account_inline_edit",
    "account_list",
    "contact_create",
    "contact_delete",
    "contact_detail",
    "contact_edit",
    "contact_inline_edit",
    "contact_list",
    "opportunity_contact_role_add",
    "opportunity_contact_role_remove",
    "opportunity_create",
    "opportunity_delete",
    "opportunity_detail",
    "opportunity_edit",
    "opportunity_inline_edit",
    "opportunity_list",
    "opportunity_product_add",
    "opportunity_product_edit",
    "opportunity_product_remove",
    "opportunity_stage",
    "product_create",
    "product_detail",
    "product_edit",
    "product_list",
    "recordtype_create",
    "recordtype_default_set",
    "recordtype_detail",
    "recordtype_edit",
    "recordtype_list",
]
