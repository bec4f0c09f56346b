"""Writes of the emails app: templates and folders, the outbox, and auto-responses.

The browser, the API, web-to-lead, imports and tasks all call these functions.
"""

from .autoresponse import (
    autoresponse_entry_create,
    autoresponse_entry_delete,
    autoresponse_entry_move,
    autoresponse_entry_update,
    autoresponse_rule_activate,
    autoresponse_rule_create,
    autoresponse_rule_deactivate,
    autoresponse_rule_delete,
    autoresponse_rule_update,
    autoresponse_send,
    autoresponse_settings_update,
)
from .outbox import (
    email_enqueue,
    email_enqueue_from_template,
    outbound_email_deliver,
    outbound_email_publish,
    outbound_email_retry,
    outbox_sweep,
    record_email_send,
)
from .templates import (
    email_folder_create,
    email_folder_delete,
    email_folder_update,
    email_template_create,
    email_template_delete,
    email_template_update,
)

__all__ = [
    "autoresponse_entry_create",
    "autoresponse_entry_delete",
    "autoresponse_entry_move",
    "autoresponse_entry_update",
    "autoresponse_rule_activate",
    "autoresponse_rule_create",
    "autoresponse_rule_deactivate",
    "autoresponse_rule_delete",
    "autoresponse_rule_update",
    "autoresponse_send",
    "autoresponse_settings_update",
    "email_enqueue",
    "email_enqueue_from_template",
    "email_folder_create",
    "email_folder_delete",
    "email_folder_update",
    "email_template_create",
    "email_template_delete",
    "email_template_update",
    "outbound_email_deliver",
    "outbound_email_publish",
    "outbound_email_retry",
    "outbox_sweep",
    "record_email_send",
]
