"""The public endpoint's write: a submission checked against a shared snapshot of the
configuration and stored, with its outcome, in one insert; accepted rows are handed to a worker."""

import ipaddress
import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.coalesce import Coalescer
from core.db import insert_row
from core.memo import SharedConfig, memoized
from core.request_id import current_request_id

from ..fields import CAMPAIGN_FIELD, RETURN_URL_FIELD, SUBMISSION_KEY_FIELD
from ..models import Intake, WebToLeadForm, WebToLeadSettings
from ..selectors import form_for_key, form_key_or_none, webtolead_settings
from ..storable import storable, storable_text, text_is_storable
from . import processing
from .parsing import SubmissionResult, _payload_text
from .processing import _accepted, _mark, intake_process
from .setup import origin_allowed, return_url_allowed

logger = logging.getLogger(__name__)


def intake_record(
    *,
    payload: dict,
    form_key: str,
    content_type: str = "",
    source_address: str | None = None,
    user_agent: str = "",
) -> "SubmissionResult":
    """Store the submission as it came, unchecked, as received, and answer the visitor's success: it
    is checked and processed in the background (the fallback when ``submission_receive`` fails)."""
    intake = _new_intake(
        payload=payload,
        form=form_for_key(form_key),
        form_key=form_key,
        content_type=content_type,
        source_address=source_address,
        user_agent=user_agent,
    )
    intake.save(force_insert=True)
    _process_soon(intake.pk)
    result = _accepted(intake)
    result.return_url = submission_return_url(intake, webtolead_settings())
    return result


def _public_ref(form: WebToLeadForm | None, submission_key: str) -> str:
    """What the visitor is told: random, except that every submit of one rendered form (its
    per-render key) is told the same reference, that of the one lead they make."""
    if form is None or not submission_key:
        return secrets.token_urlsafe(12)
    return salted_hmac("webtolead.public-ref", f"{form.pk}:{submission_key}").hexdigest()[:20]


def _new_intake(*, payload: dict, form, form_key: str, content_type: str, source_address, user_agent: str) -> Intake:
    payload, sanitized = storable(payload)
    texts = [(form_key or "")[:120], (content_type or "")[:100], (user_agent or "")[:500]]
    if not all(text_is_storable(text) for text in texts):
        texts, sanitized = [storable_text(text) for text in texts], True
    form_key, content_type, user_agent = texts
    submission_key = _payload_text(payload.get(SUBMISSION_KEY_FIELD)).strip()[:64]
    return Intake(
        form=form,
        form_key=form_key,
        payload=payload,
        content_type=content_type,
        received_at=timezone.now(),
        source_address=_address_or_none(source_address),
        user_agent=user_agent,
        public_ref=_public_ref(form, submission_key),
        submission_key=submission_key,
        campaign=_payload_text(payload.get(CAMPAIGN_FIELD)).strip()[:255],
        sanitized=sanitized,
        request_id=current_request_id() or "",
    )


def _address_or_none(address: str | None) -> str | None:
    """The client address when the database can hold it as one."""
    if not address:
        return None
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


# Public submissions ------------------------------------------------------------------------------

# What the public endpoint checks a submission against: settings, forms, field definitions and
# picklist values, read once per process and kept for a few seconds (a change made in this process
# is seen at once). The worker checks every row again, afresh, before it creates a lead.
PUBLIC_CONFIG = SharedConfig(ttl=5.0)


def _public_settings() -> WebToLeadSettings:
    return memoized(("webtolead_settings",), webtolead_settings)


def _public_form(key: str) -> WebToLeadForm | None:
    key = form_key_or_none(key)  # only plausible keys are kept in the snapshot
    return None if key is None else memoized(("webtolead_form", key), lambda: form_for_key(key))


def submission_receive(
    *,
    payload: dict,
    form_key: str,
    unreadable: str = "",
    content_type: str = "",
    source_address: str | None = None,
    user_agent: str = "",
) -> SubmissionResult:
    """Check a public submission and store it, with its outcome, in one insert.

    Rejected and spam rows are final here (an admin may replay them); an accepted row is
    "received" and becomes a lead in the background, see ``submissions_process``.
    """
    with PUBLIC_CONFIG.scope():
        settings_row = _public_settings()
        intake = _new_intake(
            payload=payload,
            form=_public_form(form_key),
            form_key=form_key,
            content_type=content_type,
            source_address=source_address,
            user_agent=user_agent,
        )
        if unreadable:
            errors = {"__all__": [unreadable]}
            _mark(intake, Intake.Outcome.REJECTED, reason=unreadable, errors=errors)
            result = SubmissionResult(intake, False, errors, status=400)
        else:
            result = processing._screen(intake, settings_row, check_spam=True)[0] or _accepted(intake)
        if result.accepted:
            result.return_url = submission_return_url(intake, settings_row)
    insert_row(intake)
    if intake.outcome == Intake.Outcome.RECEIVED:
        _process_soon(intake.pk)
    return result


# Under load, one worker task drains the rows of many requests: at most two publishes per second
# and process, each published late enough to see every row committed before it was asked for.
DRAIN = Coalescer.for_task("webtolead.tasks.process_submissions", interval=1.0)


def _process_soon(intake_pk: int) -> None:
    transaction.on_commit(lambda: _hand_over(intake_pk))


def _hand_over(intake_pk: int) -> None:
    """Ask for a drain run after this row's commit. With the broker down the row stays received
    and the visitor is answered at once (no request waits on lead-making while Redis is out): the
    next drain that runs, another submission's or beat's every minute, makes its lead."""
    DRAIN.request()


def _process_here(intake_pk: int) -> None:
    try:
        intake_process(intake_pk=intake_pk)
    except Exception:
        # The visitor's submission is stored as received: the beat sweep processes it later.
        logger.exception("Web-to-Lead submission %s could not be processed now", intake_pk)


def submission_return_url(intake: Intake, settings_row: WebToLeadSettings) -> str:
    """The visitor's return URL when its domain is allowed, else "" (the built-in thank-you page)."""
    posted = _payload_text(intake.payload.get(RETURN_URL_FIELD)).strip()
    for candidate in (posted, intake.form.return_url if intake.form else ""):
        if candidate and return_url_allowed(candidate, settings_row):
            return candidate
    return ""


def form_language_now(form_key: str) -> str:
    """The language of the form's visitor pages ("" for the visitor's browser language), from the
    endpoint's snapshot of the forms."""
    with PUBLIC_CONFIG.scope():
        form = _public_form(form_key)
    return form.language if form is not None else ""


def origin_allowed_now(origin: str) -> bool:
    """``origin_allowed`` against the endpoint's snapshot of the settings."""
    with PUBLIC_CONFIG.scope():
        return origin_allowed(origin, _public_settings())
