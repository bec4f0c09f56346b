"""Writes of Web-to-Lead: settings, forms, the intake log and turning submissions into leads.

Flow of a public submission: the view calls ``submission_receive``, which checks the submission
(form, spam, fields) against a shared snapshot of the configuration and stores it with its outcome in
one insert, so the visitor's answer costs one write. An accepted row ("received") is handed to a
Celery worker on commit; ``submissions_process`` then, a batch of rows at a time, checks each row
again afresh, enforces the daily limit and the per-render submission key, creates the leads with
their assignment and auto-responses through the batched lead intake, and records the outcomes.
Emails go out on commit. When no worker can be reached, the request processes its own row before
answering, and beat picks up any row left received.

The rooms: ``setup`` (settings, forms, return URLs), ``receiving`` (the public endpoint's insert
and the hand-over to a worker), ``parsing`` (posted names to lead data), ``processing`` (one row to
a lead), ``batches`` (the worker's batches of rows to leads) and ``replay`` (an admin runs a stored
row again). Code that replaces a function for a test patches it in the module that calls it.
"""

from .backfill import BackfillResult, intake_unused_values_backfill
from .batches import BATCH_SIZE, received_batch_process, submissions_process
from .parsing import SubmissionResult, _payload_text, parse_submission
from .processing import (
    AUTORESPONSE_SOURCE,
    FINISH_FIELDS,
    LIMIT_NOTICE_KEY,
    RETRY_FAILED_AFTER,
    _create_lead,
    _notify_limit_reached,
    _process,
    _screen,
    intake_process,
    pending_process,
)
from .receiving import (
    DRAIN,
    PUBLIC_CONFIG,
    form_language_now,
    intake_record,
    origin_allowed_now,
    submission_receive,
    submission_return_url,
)
from .replay import REPLAYABLE, intake_release, intake_replay
from .setup import (
    origin_allowed,
    return_url_allowed,
    webtolead_form_create,
    webtolead_form_update,
    webtolead_settings_update,
)

__all__ = [
    "AUTORESPONSE_SOURCE",
    "BATCH_SIZE",
    "DRAIN",
    "FINISH_FIELDS",
    "LIMIT_NOTICE_KEY",
    "PUBLIC_CONFIG",
    "REPLAYABLE",
    "RETRY_FAILED_AFTER",
    "BackfillResult",
    "SubmissionResult",
    "_create_lead",
    "_notify_limit_reached",
    "_payload_text",
    "_process",
    "_screen",
    "form_language_now",
    "intake_process",
    "intake_record",
    "intake_release",
    "intake_replay",
    "intake_unused_values_backfill",
    "origin_allowed",
    "origin_allowed_now",
    "parse_submission",
    "pending_process",
    "received_batch_process",
    "return_url_allowed",
    "submission_receive",
    "submission_return_url",
    "submissions_process",
    "webtolead_form_create",
    "webtolead_form_update",
    "webtolead_settings_update",
]
