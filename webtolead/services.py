"""Writes of Web-to-Lead: settings, forms, the intake log and turning submissions into leads.

Flow of a public submission: the view calls ``submission_receive``, which checks the submission
(form, spam, fields) against a shared snapshot of the configuration and stores it with its outcome in
one insert, so the visitor's answer costs one write. An accepted row ("received") is handed to a
Celery worker on commit; ``submissions_process`` then, row by row, checks it again afresh, enforces
the daily limit and the per-render submission key, creates the lead, runs the assignment rule and
the auto-response, and records the outcome. Emails go out on commit. When no worker can be reached,
the request processes its own row before answering, and beat picks up any row left received.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from celery import current_app as current_celery_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.coalesce import Coalescer
from core.db import insert_row
from core.fields import clean_value, is_blank
from core.memo import SharedConfig, config_scope, memoized
from core.models import FieldDefinition, FieldType
from core.roles import is_marketing_admin
from emails.models import OutboundEmail
from emails.services import autoresponse_send, autoresponse_settings_update, email_enqueue
from leads.models import Lead
from leads.routing.services import lead_assign
from leads.services import lead_create

from .fields import (
    ALWAYS_REQUIRED,
    CAMPAIGN_FIELD,
    LEAD_TO_SALESFORCE,
    RETURN_URL_FIELD,
    SALESFORCE_FIELDS,
    SUBMISSION_KEY_FIELD,
    salesforce_name,
)
from .models import Intake, WebToLeadForm, WebToLeadSettings
from .selectors import available_fields, form_for_key, form_key_or_none, leads_created_in_window, webtolead_settings
from .spam import spam_reason

logger = logging.getLogger(__name__)

MAX_TEXT = 32000
LIMIT_NOTICE_KEY = "webtolead-daily-limit:{day}"
AUTORESPONSE_SOURCE = "webtolead"


def _require_admin(user) -> None:
    if not is_marketing_admin(user):
        raise PermissionError("Only marketing and system admins may change Web-to-Lead.")


# Settings ----------------------------------------------------------------------------------------


def _clean_domains(text: str) -> str:
    domains = []
    bad = []
    for line in (text or "").replace(",", "\n").splitlines():
        domain = line.strip().lower()
        if not domain:
            continue
        if "://" in domain:
            domain = urlsplit(domain).hostname or ""
        bare = domain.lstrip(".")
        if not bare or any(c in bare for c in "/\\@ ?#:") or "." not in bare:
            bad.append(line.strip())
            continue
        if domain not in domains:
            domains.append(domain)
    if bad:
        raise ValidationError({"allowed_return_domains": f"Not a domain: {', '.join(bad)}."})
    return "\n".join(domains)


@transaction.atomic
def webtolead_settings_update(*, data: dict, acting_user) -> WebToLeadSettings:
    """Change the Web-to-Lead settings (and the default response template of the auto-response
    settings, in the same transaction); an enabled Web-to-Lead needs an active default lead creator."""
    _require_admin(acting_user)
    row, _ = WebToLeadSettings.objects.select_for_update().get_or_create(singleton=1)
    errors: dict[str, list[str]] = {}
    for name in ("enabled", "honeypot_enabled"):
        if name in data:
            setattr(row, name, bool(data[name]))
    for name, upper in (("daily_limit", 1_000_000), ("min_fill_seconds", 3600), ("rate_limit_per_minute", 100_000)):
        if name in data:
            try:
                value = int(data[name])
            except (TypeError, ValueError):
                errors[name] = ["Enter a whole number."]
                continue
            if not 0 <= value <= upper:
                errors[name] = [f"Enter a number between 0 and {upper}."]
                continue
            setattr(row, name, value)
    if "default_creator" in data:
        creator = data["default_creator"]
        if creator is not None and not creator.is_active:
            errors["default_creator"] = ["Choose an active user."]
        else:
            row.default_creator = creator
    if "allowed_return_domains" in data:
        try:
            row.allowed_return_domains = _clean_domains(data["allowed_return_domains"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if row.enabled and row.default_creator is None and "default_creator" not in errors:
        errors["default_creator"] = ["Choose the user who creates web leads before turning Web-to-Lead on."]
    if errors:
        raise ValidationError(errors)
    row.updated_by = acting_user
    row.save()
    if "default_template" in data:
        # The default response template belongs to the auto-response settings; edited here too.
        autoresponse_settings_update(default_template=data["default_template"], acting_user=acting_user)
    return row


# Forms -------------------------------------------------------------------------------------------


def _clean_form_fields(raw) -> list[dict]:
    """Validate the builder's field list: known fields, labels, required flags; last name and
    company always present and required."""
    if not isinstance(raw, list):
        raise ValidationError({"fields": "Choose the fields of the form."})
    known = {f.name: f for f in available_fields()}
    cleaned, seen, errors = [], set(), []
    for item in raw:
        name = str((item or {}).get("name", "")).strip()
        if name not in known:
            errors.append(f"Unknown field “{name}”.")
            continue
        if name in seen:
            continue
        seen.add(name)
        label = str(item.get("label") or "").strip() or known[name].label
        if len(label) > 120:
            errors.append(f"The label of {known[name].label} is longer than 120 characters.")
        required = bool(item.get("required")) or name in ALWAYS_REQUIRED
        if known[name].field_type == FieldType.CHECKBOX:
            required = False
        cleaned.append({"name": name, "label": label[:120], "required": required})
    for name in ALWAYS_REQUIRED:
        if name not in seen:
            cleaned.append({"name": name, "label": known[name].label, "required": True})
    if errors:
        raise ValidationError({"fields": errors})
    return cleaned


def _apply_form_data(form: WebToLeadForm, data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if "name" in data:
        form.name = (data["name"] or "").strip()
    if not form.name:
        errors["name"] = ["Enter a name for the form."]
    elif len(form.name) > 120:
        errors["name"] = ["Use at most 120 characters."]
    elif WebToLeadForm.objects.filter(name__iexact=form.name).exclude(pk=form.pk).exists():
        errors["name"] = [f"A form named “{form.name}” already exists."]
    if "fields" in data:
        try:
            form.fields = _clean_form_fields(data["fields"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "lead_source" in data:
        source = (data["lead_source"] or "").strip()
        if source:
            definition = FieldDefinition.objects.get(object_name="lead", api_name="lead_source")
            try:
                clean_value(definition, source, current=form.lead_source or None)
            except ValidationError as exc:
                errors["lead_source"] = exc.messages
        form.lead_source = source
    for name, limit in (("campaign", 255), ("submit_label", 60), ("salesforce_oid", 18)):
        if name in data:
            value = (data[name] or "").strip()
            if len(value) > limit:
                errors[name] = [f"Use at most {limit} characters."]
            setattr(form, name, value)
    if not form.submit_label:
        form.submit_label = "Submit"
    if form.salesforce_oid and (
        WebToLeadForm.objects.filter(salesforce_oid=form.salesforce_oid).exclude(pk=form.pk).exists()
    ):
        errors["salesforce_oid"] = ["Another form already uses this Salesforce organisation id."]
    if "return_url" in data:
        url = (data["return_url"] or "").strip()
        if url and urlsplit(url).scheme not in {"http", "https"}:
            errors["return_url"] = ["Enter an http or https address."]
        elif url and not return_url_allowed(url, webtolead_settings()):
            errors["return_url"] = [
                "This address is not on the allowed return domains of the Web-to-Lead settings; "
                "visitors would see the built-in thank-you page instead."
            ]
        form.return_url = url
    for name in ("run_assignment", "send_autoresponse", "is_active"):
        if name in data:
            setattr(form, name, bool(data[name]))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def webtolead_form_create(*, data: dict, acting_user) -> WebToLeadForm:
    _require_admin(acting_user)
    now = timezone.now()
    form = WebToLeadForm(public_key=secrets.token_urlsafe(15), created_at=now, updated_at=now)
    data = {"fields": [{"name": n} for n in ("first_name", "last_name", "email", "company")], **data}
    _apply_form_data(form, data)
    form.created_by = form.updated_by = acting_user
    form.save()
    return form


@transaction.atomic
def webtolead_form_update(*, form: WebToLeadForm, data: dict, acting_user) -> WebToLeadForm:
    _require_admin(acting_user)
    form = WebToLeadForm.objects.select_for_update().get(pk=form.pk)
    _apply_form_data(form, data)
    form.updated_at = timezone.now()
    form.updated_by = acting_user
    form.save()
    return form


# Return URLs -------------------------------------------------------------------------------------


def return_url_allowed(url: str, settings_row: WebToLeadSettings) -> bool:
    """Only http(s) addresses on an allowed domain (``.example.com`` allows its subdomains)."""
    if not url or len(url) > 2000 or any(c in url for c in "\\\r\n\t") or url.strip() != url:
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not host or parts.username or parts.password:
        return False
    for domain in settings_row.return_domains:
        if domain.startswith("."):
            if host == domain[1:] or host.endswith(domain):
                return True
        elif host == domain:
            return True
    return False


# Intake ------------------------------------------------------------------------------------------


def _payload_text(value) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


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
    submission_key = _payload_text(payload.get(SUBMISSION_KEY_FIELD)).strip()[:64]
    return Intake(
        form=form,
        form_key=(form_key or "")[:120],
        payload=payload,
        content_type=(content_type or "")[:100],
        received_at=timezone.now(),
        source_address=source_address or None,
        user_agent=(user_agent or "")[:500],
        public_ref=_public_ref(form, submission_key),
        submission_key=submission_key,
        campaign=_payload_text(payload.get(CAMPAIGN_FIELD)).strip()[:255],
    )


@dataclass
class SubmissionResult:
    """What the visitor is told: accepted (success page / 201) or the problems to fix."""

    intake: Intake
    accepted: bool
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: int = 200
    public_ref: str = ""
    return_url: str = ""


def _definitions() -> dict[str, FieldDefinition]:
    return memoized(("webtolead_definitions",), _read_definitions)


def _read_definitions() -> dict[str, FieldDefinition]:
    definitions = {}
    for definition in FieldDefinition.objects.filter(object_name="lead", is_active=True):
        if not definition.is_custom:
            model_field = Lead._meta.get_field(definition.api_name) if definition.api_name != "owner" else None
            limit = getattr(model_field, "max_length", None)
            if limit:
                definition.max_length = limit
        definitions[definition.api_name] = definition
    return definitions


def parse_submission(*, form: WebToLeadForm, payload: dict) -> tuple[dict, dict, dict[str, list[str]]]:
    """Turn posted Salesforce names into lead data and custom values; errors use the posted names."""
    definitions = _definitions()
    data: dict = {}
    custom: dict = {}
    errors: dict[str, list[str]] = {}
    for sf_name, lead_field in SALESFORCE_FIELDS.items():
        if sf_name not in payload or lead_field not in definitions:
            continue
        raw = payload[sf_name]
        if isinstance(raw, list):
            raw = ";".join(str(v) for v in raw) if len(raw) > 1 else (raw[0] if raw else "")
        if isinstance(raw, dict):
            errors[sf_name] = ["Enter a single value."]
            continue
        try:
            value = clean_value(definitions[lead_field], raw)
        except ValidationError as exc:
            errors[sf_name] = exc.messages
            continue
        if lead_field == "annual_revenue" and value is not None:
            value = Decimal(str(value))
        if lead_field == "number_of_employees" and value is not None:
            if value < 0 or value != int(value):
                errors[sf_name] = ["Enter a whole number of employees."]
                continue
            value = int(value)
        data[lead_field] = value
    for key, raw in payload.items():
        definition = definitions.get(key)
        if definition is None or not definition.is_custom:
            continue
        if isinstance(raw, list):
            raw = raw[-1] if raw else ""
        try:
            custom[key] = clean_value(definition, raw)
        except ValidationError as exc:
            errors[key] = exc.messages
    for api_name, definition in definitions.items():
        # Required custom fields, as ``lead_create`` will ask for them (defaults apply).
        if not (definition.is_custom and definition.is_required) or api_name in errors:
            continue
        value = custom.get(api_name, definition.default_value)
        if value is None and definition.field_type == FieldType.CHECKBOX:
            value = False
        if is_blank(value):
            errors[api_name] = ["This field is required."]
    if is_blank(data.get("lead_source")) and form.lead_source:
        data["lead_source"] = form.lead_source
    required = {f["name"] for f in form.fields if f.get("required")} | set(ALWAYS_REQUIRED)
    for name in required:
        lead_field = SALESFORCE_FIELDS.get(name, name)
        value = data.get(lead_field) if name in SALESFORCE_FIELDS else custom.get(name)
        if is_blank(value) and name not in errors:
            errors[name] = ["This field is required."]
    return data, custom, errors


def _salesforce_errors(exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"__all__": exc.messages}
    return {salesforce_name(key) if key in LEAD_TO_SALESFORCE else key: msgs for key, msgs in exc.message_dict.items()}


def _user_is_usable(user) -> bool:
    return user is not None and user.is_active


def _notify_limit_reached(settings_row: WebToLeadSettings, now) -> None:
    creator = settings_row.default_creator
    if creator is None or not creator.email:
        return
    day = timezone.localdate(now).isoformat()
    try:
        with transaction.atomic():
            _enqueue_limit_notice(settings_row, creator, day)
    except ValidationError:
        # The notice is a courtesy: the pending submission must be stored all the same.
        logger.warning("Could not queue the Web-to-Lead daily limit notice to %s", creator.email, exc_info=True)


def _enqueue_limit_notice(settings_row: WebToLeadSettings, creator, day: str) -> None:
    email_enqueue(
        to=creator.email,
        subject="Web-to-Lead daily limit reached",
        body_text=(
            f"The Web-to-Lead limit of {settings_row.daily_limit} leads per 24 hours was reached on {day}.\n\n"
            "New web submissions are kept as pending and become leads, oldest first, as soon as the "
            "window allows. Nothing is lost. You can raise the limit in Setup > Web-to-Lead."
        ),
        kind=OutboundEmail.Kind.SYSTEM,
        idempotency_key=LIMIT_NOTICE_KEY.format(day=day),
        acting_user=None,
    )


def _assign(lead: Lead, creator) -> Lead:
    return lead_assign(lead=lead, acting_user=creator, note_source="Web-to-Lead").lead


def _autorespond(lead: Lead, creator, intake: Intake) -> None:
    autoresponse_send(lead=lead, acting_user=creator, source=AUTORESPONSE_SOURCE)


FINISH_FIELDS = ["outcome", "reason", "errors", "lead", "processed_at", "processed_by", "claimed_key"]


def _finish(intake: Intake, outcome: str, *, reason: str = "", errors=None, lead=None, acting_user=None) -> None:
    _mark(intake, outcome, reason=reason, errors=errors, lead=lead, acting_user=acting_user)
    intake.save(update_fields=FINISH_FIELDS)


def _mark(intake: Intake, outcome: str, *, reason: str = "", errors=None, lead=None, acting_user=None) -> None:
    intake.outcome = outcome
    intake.reason = reason[:500]
    intake.errors = errors or {}
    if lead is not None:
        intake.lead = lead
    intake.processed_at = timezone.now()
    intake.processed_by = acting_user if getattr(acting_user, "pk", None) else None


def _claim_key(intake: Intake) -> Intake | None:
    """Take the form's per-render submission key for this row; answers the row that already has it."""
    if not intake.submission_key or intake.form_id is None:
        return None
    try:
        with transaction.atomic():
            Intake.objects.filter(pk=intake.pk).update(claimed_key=intake.submission_key)
    except IntegrityError:
        return (
            Intake.objects.filter(form_id=intake.form_id, claimed_key=intake.submission_key)
            .exclude(pk=intake.pk)
            .first()
        )
    intake.claimed_key = intake.submission_key
    return None


def _create_lead(intake: Intake, *, data: dict, custom: dict, creator) -> Lead:
    form = intake.form
    note = f"Web-to-Lead: {form.name}"
    if intake.campaign:
        note += f" (campaign {intake.campaign})"
    lead = lead_create(data=data, custom_fields=custom, acting_user=creator, owner=creator, history_note=note)
    if form.run_assignment:
        lead = _assign(lead, creator)
    if form.send_autoresponse:
        _autorespond(lead, creator, intake)
    return lead


def _screen(
    intake: Intake, settings_row: WebToLeadSettings, *, check_spam: bool, acting_user=None
) -> tuple[SubmissionResult | None, dict, dict]:
    """The checks that need no lock: the form, spam and the fields. Marks (does not save) the row
    and answers the visitor's result when one of them decides; else ``None`` and the parsed data."""
    Outcome = Intake.Outcome
    form = intake.form
    if not settings_row.enabled and acting_user is None:
        _mark(intake, Outcome.REJECTED, reason="Web-to-Lead is turned off.")
        result = SubmissionResult(intake, False, {"__all__": ["This form is not accepting submissions."]}, status=403)
        return result, {}, {}
    if form is None or (not form.is_active and acting_user is None):
        reason = "Unknown form key." if form is None else "The form is inactive."
        _mark(intake, Outcome.REJECTED, reason=reason, errors={"oid": [reason]})
        result = SubmissionResult(
            intake, False, {"oid": ["This form does not exist or no longer accepts submissions."]}, 400
        )
        return result, {}, {}
    if check_spam:
        reason = spam_reason(
            payload=intake.payload,
            form_key=form.public_key,
            address=intake.source_address,
            settings_row=settings_row,
        )
        if reason:
            _mark(intake, Outcome.SPAM, reason=reason)
            return _accepted(intake), {}, {}
    data, custom, errors = parse_submission(form=form, payload=intake.payload)
    if errors:
        _mark(intake, Outcome.REJECTED, reason=_reason_from(errors), errors=errors, acting_user=acting_user)
        return SubmissionResult(intake, False, errors, status=400), {}, {}
    return None, data, custom


def _accepted(intake: Intake) -> SubmissionResult:
    return SubmissionResult(intake, True, status=201, public_ref=intake.public_ref)


def _process(
    intake: Intake, settings_row: WebToLeadSettings, *, check_spam: bool, check_limit: bool, acting_user=None
) -> SubmissionResult:
    """Process one locked intake row inside the caller's transaction."""
    Outcome = Intake.Outcome
    now = timezone.now()
    decided, data, custom = _screen(intake, settings_row, check_spam=check_spam, acting_user=acting_user)
    if decided is not None:
        intake.save(update_fields=FINISH_FIELDS)
        return decided
    accepted = _accepted(intake)
    original = _claim_key(intake)
    if original is not None:
        intake.duplicate_of = original
        intake.save(update_fields=["duplicate_of"])
        _finish(intake, Outcome.DUPLICATE, reason="Submitted again from the same form page.", lead=original.lead)
        accepted.public_ref = original.public_ref
        return accepted
    creator = settings_row.default_creator
    if not _user_is_usable(creator):
        _finish(intake, Outcome.PENDING, reason="No active default lead creator is set in the Web-to-Lead settings.")
        return accepted
    if check_limit and settings_row.daily_limit:
        # One submission at a time counts the window, so the limit holds under concurrency.
        WebToLeadSettings.objects.select_for_update().filter(pk=settings_row.pk).first()
        used = leads_created_in_window(now=now)
        waiting = Intake.objects.filter(outcome=Outcome.PENDING).exclude(pk=intake.pk).exists()
        if used >= settings_row.daily_limit:
            _finish(intake, Outcome.PENDING, reason=f"Over the daily limit of {settings_row.daily_limit} leads.")
            _notify_limit_reached(settings_row, now)
            return accepted
        if waiting:
            # Oldest first: a newcomer queues behind submissions already held by the limit.
            _finish(intake, Outcome.PENDING, reason="Waiting behind earlier submissions held by the daily limit.")
            return accepted
    try:
        with transaction.atomic():
            lead = _create_lead(intake, data=data, custom=custom, creator=creator)
    except ValidationError as exc:
        errors = _salesforce_errors(exc)
        intake.claimed_key = None
        _finish(intake, Outcome.REJECTED, reason=_reason_from(errors), errors=errors, acting_user=acting_user)
        return SubmissionResult(intake, False, errors, status=400)
    _finish(intake, Outcome.CREATED, lead=lead, acting_user=acting_user)
    return accepted


def _reason_from(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())


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
            result = _screen(intake, settings_row, check_spam=True)[0] or _accepted(intake)
        if result.accepted:
            result.return_url = submission_return_url(intake, settings_row)
    insert_row(intake)
    if intake.outcome == Intake.Outcome.RECEIVED:
        _process_soon(intake.pk)
    return result


def _publish_drain(delay: float) -> None:
    from .tasks import process_submissions

    process_submissions.apply_async(countdown=delay or None)


# Under load, one worker task drains the rows of many requests: at most two publishes per second
# and process, each published late enough to see every row committed before it was asked for.
DRAIN = Coalescer(_publish_drain, interval=1.0)


def _process_soon(intake_pk: int) -> None:
    if current_celery_app.conf.task_always_eager:
        # Tasks run inline: process the row now, as a worker would right after the commit.
        _process_here(intake_pk)
    else:
        transaction.on_commit(lambda: _hand_over(intake_pk))


def _hand_over(intake_pk: int) -> None:
    if not DRAIN.request():
        # No broker: the lead is created now and its emails wait in the outbox for the sweeper.
        _process_here(intake_pk)


def _process_here(intake_pk: int) -> None:
    try:
        intake_process(intake_pk=intake_pk)
    except Exception:
        # The visitor's submission is stored as received: the beat sweep processes it later.
        logger.exception("Web-to-Lead submission %s could not be processed now", intake_pk)


def _received_to_claim():
    """Received rows, each locked for the caller's transaction unless another process has it."""
    return (
        Intake.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("form")
        .filter(outcome=Intake.Outcome.RECEIVED)
    )


@transaction.atomic
def intake_process(*, intake_pk: int) -> SubmissionResult | None:
    """Process one received submission now (the worker's work for one row); ``None`` when another
    process has it or has done it."""
    settings_row = webtolead_settings()
    intake = _received_to_claim().filter(pk=intake_pk).first()
    if intake is None:
        return None
    with config_scope():
        return _process(intake, settings_row, check_spam=False, check_limit=True)


RETRY_FAILED_AFTER = timedelta(minutes=5)


def submissions_process(*, batch_size: int = 50) -> int:
    """Turn stored submissions into leads: first those held by the daily limit (oldest first, as the
    window allows), then the received ones, oldest first.

    Safe to run concurrently and repeatedly: rows are claimed with ``skip_locked`` and a processed
    row is no longer received or pending. A row whose processing fails keeps its outcome, notes the
    error and is tried again after ``RETRY_FAILED_AFTER``. Answers how many rows were processed.
    """
    done = pending_process(batch_size=batch_size)
    tried: set[int] = set()
    while True:
        retry_before = timezone.now() - RETRY_FAILED_AFTER
        with transaction.atomic():
            settings_row = webtolead_settings()
            rows = list(
                _received_to_claim()
                .filter(Q(processed_at__isnull=True) | Q(processed_at__lt=retry_before))
                .exclude(pk__in=tried)
                .order_by("received_at", "id")[:batch_size]
            )
            if not rows:
                return done
            with config_scope():
                for row in rows:
                    tried.add(row.pk)
                    try:
                        with transaction.atomic():
                            _process(row, settings_row, check_spam=False, check_limit=True)
                    except Exception as exc:
                        logger.exception("Web-to-Lead submission %s could not be processed", row.pk)
                        Intake.objects.filter(pk=row.pk).update(
                            reason=f"Processing failed, to be tried again: {exc}"[:500], processed_at=timezone.now()
                        )
                        continue
                    done += 1


def submission_return_url(intake: Intake, settings_row: WebToLeadSettings) -> str:
    """The visitor's return URL when its domain is allowed, else "" (the built-in thank-you page)."""
    posted = _payload_text(intake.payload.get(RETURN_URL_FIELD)).strip()
    for candidate in (posted, intake.form.return_url if intake.form else ""):
        if candidate and return_url_allowed(candidate, settings_row):
            return candidate
    return ""


REPLAYABLE = {Intake.Outcome.RECEIVED, Intake.Outcome.REJECTED, Intake.Outcome.SPAM, Intake.Outcome.PENDING}


@transaction.atomic
def intake_replay(*, intake: Intake, acting_user) -> SubmissionResult:
    """An admin runs a stored submission again: spam checks and the daily limit are skipped (the
    admin vouches for it), validation is not. Releasing a spam row is a replay."""
    _require_admin(acting_user)
    settings_row = webtolead_settings()
    intake = Intake.objects.select_for_update(of=("self",)).select_related("form").get(pk=intake.pk)
    if intake.outcome not in REPLAYABLE:
        raise ValidationError(f"A submission with outcome “{intake.get_outcome_display()}” cannot be replayed.")
    result = _process(intake, settings_row, check_spam=False, check_limit=False, acting_user=acting_user)
    if intake.outcome == Intake.Outcome.PENDING:
        raise ValidationError(intake.reason)
    return result


def intake_release(*, intake: Intake, acting_user) -> SubmissionResult:
    """Release a submission from the spam log: create its lead now."""
    if intake.outcome != Intake.Outcome.SPAM:
        raise ValidationError("Only submissions in the spam log can be released.")
    return intake_replay(intake=intake, acting_user=acting_user)


def pending_process(*, batch_size: int = 50) -> int:
    """Turn pending submissions into leads, oldest first, as far as the daily window allows.

    Safe to run concurrently and repeatedly: rows are claimed with ``skip_locked`` and a processed
    row is no longer pending. Answers how many rows were processed.
    """
    done = 0
    while True:
        with transaction.atomic():
            settings_row = webtolead_settings()
            if not settings_row.enabled or not _user_is_usable(settings_row.default_creator):
                return done
            capacity = batch_size
            if settings_row.daily_limit:
                WebToLeadSettings.objects.select_for_update().filter(pk=settings_row.pk).first()
                capacity = min(batch_size, settings_row.daily_limit - leads_created_in_window())
            if capacity <= 0:
                return done
            rows = list(
                Intake.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("form")
                .filter(outcome=Intake.Outcome.PENDING)
                .order_by("received_at", "id")[:capacity]
            )
            if not rows:
                return done
            with config_scope():
                for row in rows:
                    with transaction.atomic():
                        _process(row, settings_row, check_spam=False, check_limit=False)
                    done += 1
        if len(rows) < capacity:
            return done
