"""Alert rules: "event type X (optionally on a URL or from a template) happened N times within D
hours → email the owner (or a queue) now", independent of any score — the "opened our email five
times → call now" of the lead process.

Evaluated in the worker after a lead's events arrive (the same task that scores the lead again).
A lead alerts at most once per rule per window; the windows are consecutive periods of the rule's
``window_hours`` and the database holds "once" (a unique constraint on the alert row, inserted
before the email, whose idempotency key names the same window)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import unique_as_field_error
from core.roles import require_setup_admin
from emails.models import EmailTemplate
from engagement.models import EngagementEvent
from leads.models import Lead, Queue

from . import domain
from .models import AlertFiring, AlertRule
from .mql import owner_notify

NAME_CONSTRAINT = "scoring_alertrule_name_ci"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


# Rules -----------------------------------------------------------------------------------------


def _int_in(data: dict, key: str, low: int, high: int, errors: dict, default=None) -> int | None:
    raw = data.get(key, default)
    try:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError
    except (TypeError, ValueError):
        errors[key] = [_("Enter a whole number from %(min)d to %(max)d.") % {"min": low, "max": high}]
        return None
    return value


def _rule_values(data: dict, *, instance: AlertRule | None) -> dict:
    def current(key, default=None):
        return data.get(key, getattr(instance, key, default) if instance else default)

    errors: dict[str, list[str]] = {}
    values: dict = {}
    name = " ".join(str(current("name", "") or "").split())
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Use at most %(max)d characters.") % {"max": 120}]
    elif AlertRule.objects.filter(name__iexact=name).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["name"] = [_duplicate(name)]
    values["name"] = name
    description = str(current("description", "") or "").strip()
    if len(description) > 500:
        errors["description"] = [_("Use at most %(max)d characters.") % {"max": 500}]
    values["description"] = description
    event_type = current("event_type")
    if event_type not in EngagementEvent.Type.values:
        errors["event_type"] = [_("Choose one of the event types.")]
    values["event_type"] = event_type
    pattern = str(current("url_pattern", "") or "").strip()
    if len(pattern) > 500:
        errors["url_pattern"] = [_("Use at most %(max)d characters.") % {"max": 500}]
    values["url_pattern"] = pattern
    values["min_events"] = _int_in(data, "min_events", 1, 1000, errors, getattr(instance, "min_events", None))
    values["window_hours"] = _int_in(data, "window_hours", 1, 24 * 90, errors, getattr(instance, "window_hours", None))
    values["template"] = _related(EmailTemplate, "template", current("template"), errors)
    values["notify_queue"] = _related(Queue, "notify_queue", current("notify_queue"), errors)
    values["is_active"] = bool(current("is_active", True))
    if errors:
        raise ValidationError(errors)
    return values


def _related(model, key: str, value, errors: dict):
    """An optional related row given as an instance or a primary key."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=int(value))
    except (TypeError, ValueError, model.DoesNotExist):
        errors[key] = [_("Choose one of the listed values.")]
        return None


def _duplicate(name: str) -> str:
    return _("An alert rule named “%(name)s” already exists.") % {"name": name}


def _save(rule: AlertRule, data: dict, acting_user) -> AlertRule:
    for key, value in _rule_values(data, instance=rule if rule.pk else None).items():
        setattr(rule, key, value)
    rule.updated_by = acting_user if getattr(acting_user, "pk", None) else None
    with unique_as_field_error({NAME_CONSTRAINT: ("name", _duplicate(rule.name))}):
        rule.save()
    return rule


@transaction.atomic
def alert_rule_create(*, data: dict, acting_user) -> AlertRule:
    require_setup_admin(acting_user)
    return _save(AlertRule(), data, acting_user)


@transaction.atomic
def alert_rule_update(*, rule: AlertRule, data: dict, acting_user) -> AlertRule:
    require_setup_admin(acting_user)
    return _save(AlertRule.objects.select_for_update().get(pk=rule.pk), data, acting_user)


@transaction.atomic
def alert_rule_delete(*, rule: AlertRule, acting_user) -> None:
    require_setup_admin(acting_user)
    AlertRule.objects.filter(pk=rule.pk).delete()


def alert_rules_active() -> bool:
    return AlertRule.objects.filter(is_active=True).exists()


# Evaluation ------------------------------------------------------------------------------------


def window_start(rule: AlertRule, at: datetime) -> datetime:
    """The start of the rule's window that ``at`` falls in (consecutive periods from a fixed epoch)."""
    span = rule.window_hours * 3600
    seconds = int((at - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=seconds - seconds % span)


def _matching(rule: AlertRule, lead_id: int, since: datetime, now: datetime) -> int:
    events = EngagementEvent.objects.filter(
        lead_id=lead_id, event_type=rule.event_type, is_machine=False, occurred_at__gt=since, occurred_at__lte=now
    )
    if rule.template_id:
        events = events.filter(Q(template_id=rule.template_id) | Q(outbound_email__template_id=rule.template_id))
    if not rule.url_pattern:
        return events.count()
    return sum(1 for url in events.values_list("url", flat=True) if domain.url_matches(rule.url_pattern, url))


def leads_alerts_evaluate(*, lead_ids, now=None) -> list[AlertFiring]:
    """``lead_alerts_evaluate`` for many leads (the active rules read once)."""
    rules = _active_rules()
    if not rules:
        return []
    now = now or timezone.now()
    return [f for lead_id in lead_ids for f in lead_alerts_evaluate(lead_id=lead_id, now=now, rules=rules)]


def _active_rules() -> list[AlertRule]:
    return list(AlertRule.objects.filter(is_active=True).select_related("notify_queue"))


def lead_alerts_evaluate(*, lead_id: int, now=None, rules: list[AlertRule] | None = None) -> list[AlertFiring]:
    """Fire every active alert rule the lead's recent events meet, once per rule and window.
    Idempotent: a second run in the same window adds nothing (the constraint answers "already")."""
    rules = _active_rules() if rules is None else rules
    if not rules:
        return []
    lead = Lead.objects.select_related("owner_user", "owner_queue").filter(pk=lead_id).first()
    if lead is None:
        return []
    now = now or timezone.now()
    fired = []
    recent_types = set(
        EngagementEvent.objects.filter(lead_id=lead_id, occurred_at__gt=now - timedelta(days=90)).values_list(
            "event_type", flat=True
        )
    )
    for rule in rules:
        if rule.event_type not in recent_types:
            continue
        count = _matching(rule, lead_id, now - timedelta(hours=rule.window_hours), now)
        if count < rule.min_events:
            continue
        firing = _fire(rule=rule, lead=lead, count=count, now=now)
        if firing is not None:
            fired.append(firing)
    return fired


@transaction.atomic
def _fire(*, rule: AlertRule, lead: Lead, count: int, now) -> AlertFiring | None:
    start = window_start(rule, now)
    try:
        with transaction.atomic():
            firing = AlertFiring.objects.create(
                rule=rule, lead=lead, window_start=start, fired_at=now, event_count=count
            )
    except IntegrityError:
        return None  # this window's alert was sent already
    firing.email = owner_notify(
        lead=lead,
        queue=rule.notify_queue,
        key=f"alert:{rule.pk}:{lead.pk}:{int(start.timestamp())}",
        subject=_("Alert: %(rule)s — %(name)s (%(company)s)")
        % {
            "rule": rule.name,
            "name": " ".join(p for p in (lead.first_name, lead.last_name) if p),
            "company": lead.company,
        },
        body="\n".join(
            [
                _("%(count)s “%(type)s” events within %(hours)s hours: act now.")
                % {"count": count, "type": EngagementEvent.Type(rule.event_type).label, "hours": rule.window_hours},
                "",
                _("Lead: %(name)s, %(company)s")
                % {"name": f"{lead.first_name} {lead.last_name}".strip(), "company": lead.company},
                _("Email: %(email)s") % {"email": lead.email or "-"},
                _("Phone: %(phone)s") % {"phone": lead.phone or "-"},
            ]
        ),
    )
    if firing.email is not None:
        firing.save(update_fields=["email"])
    return firing
