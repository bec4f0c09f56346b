"""SLA writes: business-hours calendars, SLA rules (a kind of ``core.rules``), each lead's SLA
clock (started on intake and assignment, stopped by the first touch) and the breach sweep."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import rules
from core.history import Change, history_record
from core.models import FieldHistory
from core.rules import RuleKind
from emails.models import OutboundEmail
from emails.services import email_enqueue
from leads.fields import OBJECT_NAME
from leads.models import Lead, Queue
from leads.routing.services import lead_assign
from leads.routing.services.notification import assignment_recipients
from leads.services import lead_change_owner

from .business_hours import Calendar, NeverOpen, add_business_hours
from .models import BusinessHours, Holiday, LeadSla, SlaBreachAction, SlaPolicy, SlaRule
from .selectors import first_touches

logger = logging.getLogger(__name__)
SWEEP_BATCH = 200
# History fields whose change by a person is a first touch.
TOUCH_FIELDS = ("status", "email")
WEEKDAYS = 7


def _actor(user):
    return user if getattr(user, "pk", None) else None


# Business hours ----------------------------------------------------------------------------------


def clean_weekly_hours(weekly_hours) -> list:
    """Seven entries, Monday first: ``["09:00", "17:00"]`` (opening before closing, or closing at
    00:00, the midnight that ends the day) or ``None``."""
    if not isinstance(weekly_hours, list | tuple) or len(weekly_hours) != WEEKDAYS:
        raise ValidationError({"weekly_hours": [_("Give the hours of each of the seven days, Monday first.")]})
    cleaned = []
    for day in weekly_hours:
        if not day:
            cleaned.append(None)
            continue
        try:
            opens, closes = (dt.time.fromisoformat(str(v)) for v in day)
        except (TypeError, ValueError):
            raise ValidationError(
                {"weekly_hours": [_("Write each day's hours as two times, such as 09:00 and 17:00.")]}
            ) from None
        # Closing at 00:00 is the midnight that ends the day (00:00-00:00: open round the clock).
        if closes <= opens and closes != dt.time(0, 0):
            raise ValidationError({"weekly_hours": [_("A day must close after it opens.")]})
        cleaned.append([opens.strftime("%H:%M"), closes.strftime("%H:%M")])
    if not any(cleaned):
        raise ValidationError({"weekly_hours": [_("Open at least one day a week.")]})
    return cleaned


def _clean_business_hours(*, name: str, time_zone: str, weekly_hours, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Give the business hours a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Use at most 120 characters.")]
    elif BusinessHours.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [_("Business hours with this name already exist.")]
    try:
        ZoneInfo(time_zone or "")
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = [_("Choose a time zone such as Europe/Paris.")]
    try:
        weekly_hours = clean_weekly_hours(weekly_hours)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"name": name, "time_zone": time_zone, "weekly_hours": weekly_hours}


@transaction.atomic
def business_hours_create(
    *, name: str, time_zone: str, weekly_hours, is_default: bool = False, acting_user
) -> BusinessHours:
    values = _clean_business_hours(name=name, time_zone=time_zone, weekly_hours=weekly_hours)
    if is_default:
        BusinessHours.objects.filter(is_default=True).update(is_default=False)
    return BusinessHours.objects.create(**values, is_default=is_default, updated_by=_actor(acting_user))


@transaction.atomic
def business_hours_update(
    *, business_hours: BusinessHours, name: str, time_zone: str, weekly_hours, is_default: bool, acting_user
) -> BusinessHours:
    """Change a calendar; open SLA clocks keep the due time they were given."""
    values = _clean_business_hours(
        name=name, time_zone=time_zone, weekly_hours=weekly_hours, exclude_pk=business_hours.pk
    )
    locked = BusinessHours.objects.select_for_update().get(pk=business_hours.pk)
    if is_default and not locked.is_default:
        BusinessHours.objects.filter(is_default=True).update(is_default=False)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.is_default = is_default
    locked.updated_by = _actor(acting_user)
    locked.save()
    return locked


@transaction.atomic
def business_hours_delete(*, business_hours: BusinessHours, acting_user) -> None:
    if SlaPolicy.objects.filter(business_hours=business_hours).exists():
        raise ValidationError({"__all__": [_("SLA policies use these business hours: change them first.")]})
    business_hours.delete()


@transaction.atomic
def holiday_add(*, business_hours: BusinessHours, date: dt.date | None, name: str = "", acting_user) -> Holiday:
    if date is None:
        raise ValidationError({"date": [_("Choose the day.")]})
    name = " ".join((name or "").split())
    if len(name) > 120:
        raise ValidationError({"name": [_("Use at most 120 characters.")]})
    holiday, created = Holiday.objects.get_or_create(business_hours=business_hours, date=date, defaults={"name": name})
    if not created:
        raise ValidationError({"date": [_("This day is a holiday already.")]})
    return holiday


def holiday_delete(*, holiday: Holiday, acting_user) -> None:
    holiday.delete()


def calendar_of(business_hours: BusinessHours) -> Calendar:
    return Calendar.from_strings(
        time_zone=business_hours.time_zone,
        weekly_hours=business_hours.weekly_hours,
        holidays=business_hours.holidays.values_list("date", flat=True),
    )


def due_time(policy: SlaPolicy, start: dt.datetime) -> dt.datetime | None:
    try:
        return add_business_hours(calendar_of(policy.business_hours), start, float(policy.first_touch_hours))
    except NeverOpen:
        return None


# SLA rules ---------------------------------------------------------------------------------------


def _clean_policy(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join((data.get("name") or "").split())
    if not name:
        errors["name"] = [_("Give the policy a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Use at most 120 characters.")]
    business_hours = data.get("business_hours")
    if business_hours is None:
        errors["business_hours"] = [_("Choose the business hours the clock runs in.")]
    hours = data.get("first_touch_hours")
    if hours is None or not 0 < float(hours) <= 9999:
        errors["first_touch_hours"] = [_("Enter a number of business hours above 0.")]
    manager = data.get("notify_user")
    if manager is not None and not manager.is_active:
        errors["notify_user"] = [_("Choose an active user.")]
    if data.get("reassign") and data.get("move_to_queue") is not None:
        errors["move_to_queue"] = [_("Reassign by the assignment rule or move to a queue, not both.")]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "business_hours": business_hours,
        "first_touch_hours": hours,
        "notify_owner": bool(data.get("notify_owner")),
        "notify_user": manager,
        "reassign": bool(data.get("reassign")),
        "move_to_queue": data.get("move_to_queue"),
    }


def _policy_problems(entry: SlaPolicy) -> list[str]:
    if entry.notify_user_id and not entry.notify_user.is_active:
        return [_("the manager to notify is inactive.")]
    return []


SLA = rules.register_kind(
    RuleKind(
        key="sla",
        label=gettext_lazy("SLA rule"),
        rule_model=SlaRule,
        entry_model=SlaPolicy,
        object_name=OBJECT_NAME,
        name_constraint="sla_slarule_name_ci",
        clean_action=_clean_policy,
        action_problems=_policy_problems,
        entry_related=("business_hours", "notify_user", "move_to_queue"),
    )
)


def sla_rule_create(*, name: str, description: str = "", acting_user) -> SlaRule:
    return rules.rule_create(kind=SLA, name=name, description=description, acting_user=acting_user)


def sla_rule_update(*, rule: SlaRule, name: str, description: str = "", acting_user) -> SlaRule:
    return rules.rule_update(kind=SLA, rule=rule, name=name, description=description, acting_user=acting_user)


def sla_rule_activate(*, rule: SlaRule, acting_user) -> SlaRule:
    return rules.rule_activate(kind=SLA, rule=rule, acting_user=acting_user)


def sla_rule_deactivate(*, rule: SlaRule, acting_user) -> SlaRule:
    return rules.rule_deactivate(kind=SLA, rule=rule, acting_user=acting_user)


def sla_rule_delete(*, rule: SlaRule, acting_user) -> None:
    rules.rule_delete(kind=SLA, rule=rule, acting_user=acting_user)


def sla_policy_create(*, rule: SlaRule, data: dict, acting_user) -> SlaPolicy:
    return rules.entry_create(kind=SLA, rule=rule, data=data, acting_user=acting_user, position=data.get("sort_order"))


def sla_policy_update(*, policy: SlaPolicy, data: dict, acting_user) -> SlaPolicy:
    return rules.entry_update(kind=SLA, entry=policy, data=data, acting_user=acting_user)


def sla_policy_delete(*, policy: SlaPolicy, acting_user) -> None:
    rules.entry_delete(kind=SLA, entry=policy, acting_user=acting_user)


def sla_picklist_usage(value) -> list[str]:
    return rules.picklist_usage(kind=SLA, value=value)


def policy_for(lead: Lead) -> SlaPolicy | None:
    """The active SLA rule's first policy whose criteria the lead meets."""
    rule = rules.active_rule(SLA)
    if rule is None:
        return None
    match = rules.compiled_rule(kind=SLA, rule=rule).first_match(lead)
    return match.entry if match is not None else None


# A lead's clock ----------------------------------------------------------------------------------


def lead_sla_refresh(*, lead_id: int, now: dt.datetime | None = None) -> LeadSla | None:
    """Start, move or stop the lead's SLA clock after a change of the lead (inside its
    transaction): the first status change by a person stops it; a lead that falls under another
    policy (another queue, another source) starts a new clock from now; a lead no policy covers
    has none."""
    now = now or timezone.now()
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return None
    clock = LeadSla.objects.select_for_update().filter(lead_id=lead_id).first()
    if clock is not None and clock.first_touched_at is not None:
        return clock
    # Most changes of most leads end here, in a query or two: this runs on every recorded change.
    policy = None if lead.is_converted else policy_for(lead)
    if clock is None and policy is None:
        return None
    # Notes, calls and tasks stop the clock through the touch hook; here, what the history shows.
    touched = _touched_in_history(lead_id)
    if clock is not None and touched is not None:
        return _touch(clock, touched)
    if lead.is_converted:
        return clock
    if policy is None:
        if clock is not None and clock.status == LeadSla.Status.OPEN:
            clock.delete()
            return None
        return clock
    if clock is None:
        start = lead.created_at if (now - lead.created_at) < dt.timedelta(minutes=5) else now
        clock = LeadSla(lead=lead, cycle=1, started_at=start)
    elif clock.policy_id == policy.pk:
        return clock
    elif clock.status == LeadSla.Status.BREACHED:
        # The last breach's time and queue stay: they count in the breaches of the day.
        clock.cycle += 1
        clock.started_at = now
    else:
        clock.started_at = now
    clock.policy, clock.policy_name = policy, policy.name
    clock.status = LeadSla.Status.OPEN
    clock.due_at = due_time(policy, clock.started_at)
    if touched is not None:
        clock.first_touched_at, clock.status = touched, LeadSla.Status.MET
    clock.save()
    return clock


def _touched_in_history(lead_id: int) -> dt.datetime | None:
    """When a person first changed the lead's status or emailed it, from its history."""
    return (
        FieldHistory.objects.filter(
            object_name=OBJECT_NAME, record_id=lead_id, field_name__in=TOUCH_FIELDS, changed_by__isnull=False
        )
        .order_by("changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )


def _touch(clock: LeadSla, at: dt.datetime) -> LeadSla:
    clock.first_touched_at = at
    if clock.status == LeadSla.Status.OPEN:
        clock.status = LeadSla.Status.MET
    clock.save(update_fields=["first_touched_at", "status"])
    return clock


def on_record_change(*, object_name: str, record_id: int) -> None:
    """Field History hook: a lead was created, changed owner or status."""
    if object_name == OBJECT_NAME:
        lead_sla_refresh(lead_id=record_id)


def on_record_changes(*, object_name: str, record_ids: list[int]) -> None:
    """The Field History hook for many leads at once (a batch of new leads): while no SLA rule is
    active only leads that already have a clock can change, so the others cost no query each."""
    if object_name != OBJECT_NAME:
        return
    if rules.active_rule(SLA) is None:
        with_clock = set(LeadSla.objects.filter(lead_id__in=record_ids).values_list("lead_id", flat=True))
        record_ids = [pk for pk in record_ids if pk in with_clock]
    for record_id in record_ids:
        lead_sla_refresh(lead_id=record_id)


def on_lead_touched(*, lead_id: int, at: dt.datetime, acting_user) -> None:
    """A person worked the lead (a note, a call, a task, an email): the first one stops the clock."""
    if not getattr(acting_user, "pk", None):
        return
    # One conditional UPDATE: a breached clock keeps its status but learns when the lead was touched.
    LeadSla.objects.filter(lead_id=lead_id, first_touched_at__isnull=True).update(
        first_touched_at=at,
        status=Case(When(status=LeadSla.Status.OPEN, then=Value(LeadSla.Status.MET)), default=F("status")),
    )


# Breaches ----------------------------------------------------------------------------------------


def _notify(*, lead: Lead, clock: LeadSla, addresses: list[str], who: str) -> int:
    written = 0
    subject = _("SLA breached: %(lead)s was not touched in time") % {"lead": lead.name or lead.pk}
    body = _(
        "The lead %(lead)s (%(owner)s) had to be touched by %(due)s under the SLA policy “%(policy)s”, "
        "and nobody has worked it yet."
    ) % {
        "lead": lead.name or lead.pk,
        "owner": lead.owner_name,
        "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M %Z") if clock.due_at else "",
        "policy": clock.policy_name,
    }
    for address in addresses:
        try:
            with transaction.atomic():
                email_enqueue(
                    to=address,
                    subject=subject,
                    body_text=body,
                    kind=OutboundEmail.Kind.NOTIFICATION,
                    idempotency_key=f"sla-breach:{lead.pk}:{clock.cycle}:{who}:{address.lower()}",
                    object_name=OBJECT_NAME,
                    record_id=lead.pk,
                )
            written += 1
        except ValidationError:
            logger.warning("SLA breach notification of lead %s to %s not queued: invalid address", lead.pk, address)
    return written


def _claim_action(clock: LeadSla, action: str, policy: SlaPolicy, detail: str = "", queue=None) -> bool:
    """Write the action's row; False when this breach had it already (the unique constraint)."""
    try:
        with transaction.atomic():
            SlaBreachAction.objects.create(
                lead_id=clock.lead_id,
                cycle=clock.cycle,
                action=action,
                policy=policy,
                queue=queue,
                detail=detail[:300],
                done_at=timezone.now(),
            )
    except IntegrityError:
        return False
    return True


def _breach(clock: LeadSla, now: dt.datetime) -> list[str]:
    """Mark the clock breached and take the policy's actions once each; answers what was done."""
    policy = clock.policy
    lead = Lead.objects.select_related("owner_user", "owner_queue").get(pk=clock.lead_id)
    clock.status, clock.breached_at, clock.breached_queue_id = LeadSla.Status.BREACHED, now, lead.owner_queue_id
    clock.save(update_fields=["status", "breached_at", "breached_queue"])
    done: list[str] = []
    if policy is None:
        return done
    A = SlaBreachAction.Action
    if policy.notify_owner and _claim_action(clock, A.NOTIFY_OWNER, policy):
        _notify(lead=lead, clock=clock, addresses=assignment_recipients(lead), who="owner")
        done.append(str(A.NOTIFY_OWNER.label))
    if policy.notify_user_id and _claim_action(clock, A.NOTIFY_MANAGER, policy, detail=str(policy.notify_user)):
        if policy.notify_user.email:
            _notify(lead=lead, clock=clock, addresses=[policy.notify_user.email], who="manager")
        done.append(str(A.NOTIFY_MANAGER.label))
    # The move is last: it may put the lead under another policy, which starts a new clock.
    if policy.reassign and _claim_action(clock, A.REASSIGN, policy):
        result = lead_assign(lead=lead, acting_user=None, note_source=_("SLA breach"))
        done.append(f"{A.REASSIGN.label}: {result.note}")
    elif policy.move_to_queue_id and _claim_action(clock, A.MOVE, policy, queue=policy.move_to_queue):
        queue = Queue.objects.get(pk=policy.move_to_queue_id)
        if lead.owner_queue_id != queue.pk:
            lead_change_owner(
                lead=lead,
                owner=queue,
                acting_user=None,
                note=_("SLA breach: moved to queue “%(queue)s”") % {"queue": queue.name},
                check_access=False,
            )
        done.append(f"{A.MOVE.label}: {queue.name}")
    return done


def _record_breach(clock: LeadSla, done: list[str], now: dt.datetime) -> None:
    note = _("SLA “%(policy)s” breached (due %(due)s)") % {
        "policy": clock.policy_name,
        "due": clock.due_at.isoformat() if clock.due_at else "",
    }
    if done:
        note += ": " + "; ".join(done)
    history_record(
        object_name=OBJECT_NAME,
        record_id=clock.lead_id,
        changes=[Change("sla_status", "SLA Status", LeadSla.Status.OPEN, LeadSla.Status.BREACHED)],
        acting_user=None,
        note=note,
        at=now,
    )


def sla_breaches_process(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> tuple[int, int]:
    """One batch of the breach sweep: open clocks past due, claimed with ``SKIP LOCKED`` so that two
    sweeps never take the same lead. A lead touched meanwhile (by a path that has no hook) is met,
    not breached. Answers (clocks claimed, clocks breached)."""
    now = now or timezone.now()
    breached = 0
    with transaction.atomic():
        clocks = list(
            LeadSla.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=LeadSla.Status.OPEN, due_at__lte=now)
            .select_related("policy__notify_user", "policy__business_hours")
            .order_by("due_at")[:limit]
        )
        touches = first_touches([c.lead_id for c in clocks])
        for clock in clocks:
            touched = touches.get(clock.lead_id)
            if touched is not None and touched <= now:
                _touch(clock, touched)
                continue
            with transaction.atomic():
                done = _breach(clock, now)
                _record_breach(clock, done, now)
            breached += 1
    return len(clocks), breached


def sla_breaches_sweep(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH, max_batches: int = 50) -> int:
    """Process batches until none is full (bounded, so a beat tick ends)."""
    total = 0
    for _i in range(max_batches):
        claimed, breached = sla_breaches_process(now=now, limit=limit)
        total += breached
        if claimed < limit:
            break
    return total
