"""Writes of engagement.

The rooms: ``events`` (append an event, attach a visitor to the lead it became, a lead's tracking
opt-out), ``tracking`` (the public tracking endpoint's insert and its worker), ``email_tracking``
(open pixel and tracked links of the emails the app sends) and ``setup`` (the settings). Code that
replaces a function for a test patches it in the module that calls it.
"""

from .email_tracking import (
    click_token,
    email_click_target,
    email_html_track,
    email_open_record,
    email_sent_record,
    is_machine_open,
    open_token,
)
from .events import (
    LEAD_MADE_VISITOR_FIELD,
    engagement_event_record,
    lead_tracking_opt_out_set,
    on_conversion,
    on_web_to_lead,
    visitor_attach,
    visitor_id_or_empty,
    web_url_or_empty,
)
from .last_activity import lead_last_activity_refresh, lead_last_activity_touch
from .setup import engagement_settings_update
from .tracking import DRAIN, MAX_BODY_BYTES, public_settings, rate_limited, tracking_process, tracking_receive

__all__ = [
    "DRAIN",
    "LEAD_MADE_VISITOR_FIELD",
    "MAX_BODY_BYTES",
    "click_token",
    "email_click_target",
    "email_html_track",
    "email_open_record",
    "email_sent_record",
    "engagement_event_record",
    "engagement_settings_update",
    "is_machine_open",
    "lead_last_activity_refresh",
    "lead_last_activity_touch",
    "lead_tracking_opt_out_set",
    "on_conversion",
    "on_web_to_lead",
    "open_token",
    "public_settings",
    "rate_limited",
    "tracking_process",
    "tracking_receive",
    "visitor_attach",
    "visitor_id_or_empty",
    "web_url_or_empty",
]
