"""Writes of sequences and their steps (marketing admins only)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_time
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from core.criteria import criteria_as_dicts, validate_criteria
from core.db import unique_as_field_error
from core.models import PicklistValue
from core.roles import require_setup_admin
from emails.models import EmailTemplate
from leads.models import Queue
from leads.services import converted_status_error

from ..models import NurtureSequence, NurtureStep

NAME_CONSTRAINT = "nurture_nurturesequence_name_ci"
SEQUENCE_FIELDS = (
    "name",
    "description",
    "lead_statuses",
    "time_zone",
    "use_lead_time_zone",
    "send_window_start",
    "send_window_end",
    "send_days",
    "from_name",
    "from_address",
    "reply_to",
)


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _time(raw, field: str, errors: dict):
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.time):
        return raw
    parsed = parse_time(str(raw)) if isinstance(raw, str) else None
    if parsed is None:
        errors[field] = [_("Enter a time such as 09:00.")]
    return parsed


def _bool(raw) -> bool:
    return raw in (True, "true", "True", "on", "1", 1)


def _sequence_values(data: dict, current: NurtureSequence | None) -> dict:
    errors: dict[str, list[str]] = {}
    values = {k: data[k] for k in SEQUENCE_FIELDS if k in data}
    if "name" in values or current is None:
        name = " ".join(str(values.get("name") or "").split())
        if not name:
            errors["name"] = [_("Enter a name.")]
        elif len(name) > 120:
            errors["name"] = [_("Use at most 120 characters.")]
        values["name"] = name
    for key, limit in (("description", 500), ("from_name", 120)):
        if key in values:
            values[key] = str(values[key] or "").strip()
            if len(values[key]) > limit:
                errors[key] = [_("Use at most %(n)d characters.") % {"n": limit}]
    for key in ("from_address", "reply_to"):
        if key in values:
            values[key] = str(values[key] or "").strip()
            if values[key]:
                from core.fields import validate_email

                try:
                    validate_email(values[key])
                except ValidationError as exc:
                    errors[key] = exc.messages
    if "lead_statuses" in values:
        raw = values["lead_statuses"] or []
        if not isinstance(raw, list | tuple) or not all(isinstance(s, str) for s in raw):
            errors["lead_statuses"] = [_("Expected a list of lead status API names.")]
        else:
            known = set(
                PicklistValue.objects.filter(object_name="lead", field_name="status").values_list("api_name", flat=True)
            )
            unknown = [s for s in raw if s not in known]
            if unknown:
                errors["lead_statuses"] = [_("Unknown lead status: %(s)s.") % {"s": ", ".join(unknown)}]
            values["lead_statuses"] = list(dict.fromkeys(raw))
    if "time_zone" in values:
        values["time_zone"] = str(values["time_zone"] or "").strip()
        if values["time_zone"]:
            try:
                ZoneInfo(values["time_zone"])
            except (ZoneInfoNotFoundError, ValueError):
                errors["time_zone"] = [_("Enter a time zone such as Europe/Paris.")]
    if "use_lead_time_zone" in values:
        values["use_lead_time_zone"] = _bool(values["use_lead_time_zone"])
    for key in ("send_window_start", "send_window_end"):
        if key in values:
            values[key] = _time(values[key], key, errors)
    if "send_days" in values:
        raw = values["send_days"] or []
        try:
            days = sorted({int(d) for d in raw})
        except (TypeError, ValueError):
            days = [-1]
        if not isinstance(raw, list | tuple) or any(d < 0 or d > 6 for d in days):
            errors["send_days"] = [_("Expected weekdays from 0 (Monday) to 6 (Sunday).")]
        values["send_days"] = days
    start = values.get("send_window_start", current.send_window_start if current else None)
    end = values.get("send_window_end", current.send_window_end if current else None)
    if "send_window_start" not in errors and "send_window_end" not in errors:
        if (start is None) != (end is None):
            errors["send_window_end"] = [_("Give both ends of the send window, or neither.")]
        elif start is not None and start >= end:
            errors["send_window_end"] = [_("The send window must end after it starts.")]
    if errors:
        raise ValidationError(errors)
    return values


def _save_sequence(sequence: NurtureSequence, *, creating: bool) -> None:
    with unique_as_field_error({NAME_CONSTRAINT: ("name", _("A sequence with this name already exists."))}):
        sequence.save(force_insert=creating)


@transaction.atomic
def sequence_create(*, data: dict, acting_user) -> NurtureSequence:
    """A new sequence, in draft until it is activated."""
    require_setup_admin(acting_user)
    values = _sequence_values(data, None)
    now = timezone.now()
    sequence = NurtureSequence(
        **values,
        status=NurtureSequence.Status.DRAFT,
        created_at=now,
        updated_at=now,
        created_by=_actor(acting_user),
        updated_by=_actor(acting_user),
    )
    _save_sequence(sequence, creating=True)
    return sequence


def _lock(sequence: NurtureSequence) -> NurtureSequence:
    return NurtureSequence.objects.select_for_update().get(pk=sequence.pk)


def _touch(sequence: NurtureSequence, acting_user) -> None:
    NurtureSequence.objects.filter(pk=sequence.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), updated_by=_actor(acting_user)
    )


@transaction.atomic
def sequence_update(*, sequence: NurtureSequence, data: dict, acting_user) -> NurtureSequence:
    require_setup_admin(acting_user)
    locked = _lock(sequence)
    for key, value in _sequence_values(data, locked).items():
        setattr(locked, key, value)
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.updated_by = _actor(acting_user)
    _save_sequence(locked, creating=False)
    return locked


def sequence_problems(sequence: NurtureSequence) -> list[str]:
    """What keeps a sequence from sending (checked on activation)."""
    steps = list(sequence.steps.select_related("template"))
    problems = []
    if not any(s.kind == NurtureStep.Kind.EMAIL for s in steps):
        problems.append(_("Add at least one email step."))
    for step in steps:
        if step.kind == NurtureStep.Kind.EMAIL and step.template and not step.template.is_active:
            problems.append(
                _("Step %(n)d: the template “%(t)s” is inactive.") % {"n": step.position, "t": step.template}
            )
    return problems


@transaction.atomic
def sequence_set_status(*, sequence: NurtureSequence, status: str, acting_user) -> NurtureSequence:
    """Activate, pause or resume a sequence. Pausing ends every open enrolment with the exit reason
    "sequence paused" (in the same transaction, under the sequence's lock, so the scheduler sends
    nothing more to them); a resumed sequence takes new enrolments."""
    require_setup_admin(acting_user)
    if status not in (NurtureSequence.Status.ACTIVE, NurtureSequence.Status.PAUSED):
        raise ValidationError({"status": [_("Choose active or paused.")]})
    locked = _lock(sequence)
    if status == NurtureSequence.Status.ACTIVE:
        problems = sequence_problems(locked)
        if problems:
            raise ValidationError({"status": problems})
    if locked.status != status:
        locked.status = status
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.updated_by = _actor(acting_user)
        locked.save(update_fields=["status", "version", "updated_at", "updated_by"])
        if status == NurtureSequence.Status.PAUSED:
            from .enrolments import end_sequence_enrolments

            end_sequence_enrolments(sequence=locked, acting_user=acting_user)
    return locked


@transaction.atomic
def sequence_delete(*, sequence: NurtureSequence, acting_user) -> None:
    """Delete a sequence that no lead is in any more (its ended enrolments go with it)."""
    require_setup_admin(acting_user)
    locked = _lock(sequence)
    if locked.enrolments.filter(status__in=["active", "paused"]).exists():
        raise ValidationError(
            {
                "__all__": [
                    _("Leads are still in this sequence: pause it (which ends their enrolments), or remove them first.")
                ]
            }
        )
    from ..models import EnrolmentRuleEntry

    if EnrolmentRuleEntry.objects.filter(sequence=locked).exists():
        raise ValidationError(
            {"__all__": [_("An enrolment rule enrols leads in this sequence: change the rule first.")]}
        )
    locked.delete()


# Steps -----------------------------------------------------------------------------------------


def _pk(raw):
    if raw in (None, ""):
        return None
    if hasattr(raw, "pk"):
        return raw.pk
    if isinstance(raw, bool) or not str(raw).isdigit():
        return -1
    return int(raw)


def _nonneg(raw, field: str, errors: dict, *, upper: int) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number.")]
        return None
    if value < 0 or value > upper:
        errors[field] = [_("Enter a number from 0 to %(n)d.") % {"n": upper}]
    return value


def _sibling(sequence: NurtureSequence, raw, field: str, errors: dict, message: str) -> NurtureStep | None:
    pk = _pk(raw)
    if pk is None:
        return None
    found = NurtureStep.objects.filter(sequence=sequence, pk=pk).first()
    if found is None:
        errors[field] = [message]
    return found


def _clean_step(sequence: NurtureSequence, data: dict, *, position: int) -> dict:
    """Validate a step's input (the same for the builder page and the API); answers field values."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    values: dict = {
        "kind": kind,
        "template": None,
        "wait_days": None,
        "wait_hours": None,
        "wait_weekday": None,
        "wait_time": None,
        "condition": "",
        "criteria": [],
        "filter_logic": "",
        "score_min": None,
        "ref_step": None,
        "else_step": None,
        "action": "",
        "action_status": "",
        "action_queue": None,
        "action_campaign": None,
    }
    if kind not in NurtureStep.Kind.values:
        raise ValidationError({"kind": [_("Choose send email, wait, branch or action.")]})
    if kind == NurtureStep.Kind.EMAIL:
        pk = _pk(data.get("template"))
        template = EmailTemplate.objects.filter(pk=pk, is_active=True).first() if pk else None
        if template is None:
            errors["template"] = [_("Choose an active email template.")]
        values["template"] = template
    elif kind == NurtureStep.Kind.WAIT:
        values["wait_days"] = _nonneg(data.get("wait_days"), "wait_days", errors, upper=3650)
        values["wait_hours"] = _nonneg(data.get("wait_hours"), "wait_hours", errors, upper=23 * 24)
        values["wait_weekday"] = _nonneg(data.get("wait_weekday"), "wait_weekday", errors, upper=6)
        values["wait_time"] = _time(data.get("wait_time"), "wait_time", errors)
        until = values["wait_weekday"] is not None or values["wait_time"] is not None
        duration = (values["wait_days"] or 0) + (values["wait_hours"] or 0)
        if not errors and not until and duration <= 0:
            errors["wait_days"] = [_("Wait some days or hours, or until a weekday or a time of day.")]
        if until and duration and not errors:
            errors["wait_days"] = [_("Wait either some days and hours, or until a weekday or time, not both.")]
    elif kind == NurtureStep.Kind.BRANCH:
        condition = data.get("condition")
        values["condition"] = condition
        if condition not in NurtureStep.Condition.values:
            errors["condition"] = [_("Choose a condition.")]
        elif condition == NurtureStep.Condition.CRITERIA:
            try:
                cleaned = validate_criteria(
                    object_name="lead", criteria=data.get("criteria") or [], logic=data.get("filter_logic") or ""
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
            else:
                if not cleaned:
                    errors["criteria"] = [_("Add at least one criterion.")]
                values["criteria"] = criteria_as_dicts(cleaned)
                values["filter_logic"] = (data.get("filter_logic") or "").strip()
        elif condition == NurtureStep.Condition.SCORE:
            values["score_min"] = _nonneg(data.get("score_min"), "score_min", errors, upper=100)
            if values["score_min"] is None and "score_min" not in errors:
                errors["score_min"] = [_("Enter the minimum score (0 to 100).")]
        else:
            ref = _sibling(
                sequence, data.get("ref_step"), "ref_step", errors, _("Choose an email step of this sequence.")
            )
            if ref is None and "ref_step" not in errors:
                errors["ref_step"] = [_("Choose the email step whose opens or clicks count.")]
            elif ref is not None and (ref.kind != NurtureStep.Kind.EMAIL or ref.position >= position):
                errors["ref_step"] = [_("Choose an email step before this one.")]
            values["ref_step"] = ref
        other = _sibling(sequence, data.get("else_step"), "else_step", errors, _("Choose a step of this sequence."))
        if other is not None and other.position <= position:
            errors["else_step"] = [_("A branch may only jump forward, to a later step.")]
        values["else_step"] = other
    else:
        action = data.get("action")
        values["action"] = action
        if action not in NurtureStep.Action.values:
            errors["action"] = [_("Choose an action.")]
        elif action == NurtureStep.Action.CHANGE_STATUS:
            status = str(data.get("action_status") or "")
            if not PicklistValue.objects.filter(
                object_name="lead", field_name="status", api_name=status, is_active=True
            ).exists():
                errors["action_status"] = [_("Choose an active lead status.")]
            elif converted_status_error(status) is not None:
                errors["action_status"] = [_("Only conversion may give a converted status.")]
            values["action_status"] = status
        elif action == NurtureStep.Action.MOVE_TO_QUEUE:
            pk = _pk(data.get("action_queue"))
            values["action_queue"] = Queue.objects.filter(pk=pk).first() if pk else None
            if values["action_queue"] is None:
                errors["action_queue"] = [_("Choose a queue.")]
        elif action == NurtureStep.Action.ADD_TO_CAMPAIGN:
            pk = _pk(data.get("action_campaign"))
            values["action_campaign"] = Campaign.objects.filter(pk=pk, is_active=True).first() if pk else None
            if values["action_campaign"] is None:
                errors["action_campaign"] = [_("Choose an active campaign.")]
    if errors:
        raise ValidationError(errors)
    return values


def _steps(sequence: NurtureSequence) -> list[NurtureStep]:
    return list(NurtureStep.objects.filter(sequence=sequence).order_by("position", "id"))


def _renumber(ordered: list[NurtureStep]) -> None:
    # The position constraint is deferred to the commit, so the steps may pass each other here.
    for number, step in enumerate(ordered, start=1):
        if step.position != number:
            NurtureStep.objects.filter(pk=step.pk).update(position=number)
            step.position = number


@transaction.atomic
def step_create(*, sequence: NurtureSequence, data: dict, acting_user, position: int | None = None) -> NurtureStep:
    """Add a step at ``position`` (default: at the end); later steps move down one."""
    require_setup_admin(acting_user)
    locked = _lock(sequence)
    ordered = _steps(locked)
    at = len(ordered) + 1 if position is None else max(1, min(int(position), len(ordered) + 1))
    values = _clean_step(locked, data, position=at)
    for step in ordered:
        if step.position >= at:
            NurtureStep.objects.filter(pk=step.pk).update(position=F("position") + 1)
    step = NurtureStep.objects.create(sequence=locked, position=at, **values)
    _touch(locked, acting_user)
    return step


@transaction.atomic
def step_update(*, step: NurtureStep, data: dict, acting_user) -> NurtureStep:
    require_setup_admin(acting_user)
    locked_sequence = _lock(step.sequence)
    locked = NurtureStep.objects.select_for_update().get(pk=step.pk)
    values = _clean_step(locked_sequence, {"kind": locked.kind, **data}, position=locked.position)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save()
    _touch(locked_sequence, acting_user)
    return locked


@transaction.atomic
def step_delete(*, step: NurtureStep, acting_user) -> None:
    """Delete a step; later steps move up. Enrolments waiting at a later position keep their place
    in the sequence (they now point at the step that moved up)."""
    require_setup_admin(acting_user)
    locked_sequence = _lock(step.sequence)
    deleted_position = step.position
    NurtureStep.objects.filter(pk=step.pk).delete()
    _renumber(_steps(locked_sequence))
    locked_sequence.enrolments.filter(position__gt=deleted_position, status__in=["active", "paused"]).update(
        position=F("position") - 1
    )
    _touch(locked_sequence, acting_user)


@transaction.atomic
def step_move(*, step: NurtureStep, direction: int, acting_user) -> None:
    """Move a step up (-1) or down (+1). A branch never jumps backwards: a move that would make one
    do so is refused."""
    require_setup_admin(acting_user)
    locked_sequence = _lock(step.sequence)
    ordered = _steps(locked_sequence)
    index = next(i for i, s in enumerate(ordered) if s.pk == step.pk)
    other = index + (1 if direction > 0 else -1)
    if other < 0 or other >= len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    by_pk = {s.pk: number for number, s in enumerate(ordered, start=1)}
    for s in ordered:
        if s.kind == NurtureStep.Kind.BRANCH:
            if s.else_step_id and by_pk.get(s.else_step_id, 0) <= by_pk[s.pk]:
                raise ValidationError({"__all__": [_("A branch would jump backwards: move its target first.")]})
            if s.ref_step_id and by_pk.get(s.ref_step_id, 0) >= by_pk[s.pk]:
                raise ValidationError({"__all__": [_("A branch would test an email sent after it.")]})
    _renumber(ordered)
    _touch(locked_sequence, acting_user)
