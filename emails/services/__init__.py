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
    autoresponse_send_many,
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
from .outbox_batch import OutboxMessage, email_enqueue_many, outbound_emails_publish
from .templates import (
    email_folder_create,
    email_folder_delete,
    email_folder_update,
    email_template_create,
    email_template_delete,
    email_template_update,
)

__all__ = [
    "OutboxMessage",
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
    "autoresponse_send_many",
    "autoresponse_settings_update",
    "email_enqueue",
    "email_enqueue_from_template",
    "email_enqueue_many",
    "email_folder_create",
    "email_folder_delete",
    "email_folder_update",
    "email_template_create",
    "email_template_delete",
    "email_template_update",
    "outbound_email_deliver",
    "outbound_email_publish",
    "outbound_email_retry",
    "outbound_emails_publish",
    "outbox_sweep",
    "record_email_send",
]
