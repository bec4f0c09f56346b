"""Auto-response rules and their sending.

They live in ``emails`` (not in web-to-lead) so that web-to-lead, the leads API and imports call
the same ``autoresponse_send``; records are leads addressed through ``core.registry``.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from core.fields import validate_email
from core.history import Change, history_record
from core.roles import is_marketing_admin

from ..models import AutoResponseEntry, AutoResponseRule, AutoResponseSettings, EmailTemplate, OutboundEmail
from .outbox import email_enqueue_from_template

OBJECT_NAME = "lead"
logger = logging.getLogger(__name__)


def _require_admin(user) -> None:
    if not is_marketing_admin(user):
        raise PermissionError("Only marketing and system admins may manage auto-response rules.")


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# Settings ------------------------------------------------------------------------------------------


@transaction.atomic
def autoresponse_settings_update(
    *,
    default_template: EmailTemplate | None,
    acting_user,
    default_from_name: str | None = None,
    default_from_address: str | None = None,
    default_reply_to: str | None = None,
) -> AutoResponseSettings:
    """Set the default response template (sent when no rule entry matches) and its sender."""
    _require_admin(acting_user)
    row, _ = AutoResponseSettings.objects.select_for_update().get_or_create(singleton=1)
    errors: dict[str, list[str]] = {}
    if default_template is not None and not default_template.is_active:
        errors["default_template"] = ["Choose an active template."]
    for name, value in (("default_from_address", default_from_address), ("default_reply_to", default_reply_to)):
        if value and not _valid_email(value.strip()):
            errors[name] = ["Enter a valid email address."]
    if default_from_name and len(default_from_name) > 120:
        errors["default_from_name"] = ["Use at most 120 characters."]
    if errors:
        raise ValidationError(errors)
    row.default_template = default_template
    if default_from_name is not None:
        row.default_from_name = " ".join(default_from_name.split())
    if default_from_address is not None:
        row.default_from_address = default_from_address.strip()
    if default_reply_to is not None:
        row.default_reply_to = default_reply_to.strip()
    row.updated_by = _actor(acting_user)
    row.save()
    return row


# Rules -------------------------------------------------------------------------------------------


def _clean_rule_name(name: str, *, exclude_pk=None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationError({"name": ["Enter a rule name of at most 120 characters."]})
    if AutoResponseRule.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": [f"A rule named “{name}” already exists."]})
    return name


@transaction.atomic
def autoresponse_rule_create(*, name: str, description: str = "", acting_user) -> AutoResponseRule:
    _require_admin(acting_user)
    return AutoResponseRule.objects.create(
        name=_clean_rule_name(name), description=(description or "")[:500], created_by=_actor(acting_user)
    )


@transaction.atomic
def autoresponse_rule_update(
    *, rule: AutoResponseRule, name: str, description: str = "", acting_user
) -> AutoResponseRule:
    _require_admin(acting_user)
    rule = AutoResponseRule.objects.select_for_update().get(pk=rule.pk)
    rule.name = _clean_rule_name(name, exclude_pk=rule.pk)
    rule.description = (description or "")[:500]
    rule.save()
    return rule


@transaction.atomic
def autoresponse_rule_activate(*, rule: AutoResponseRule, acting_user) -> AutoResponseRule:
    """Make this the active rule; the previously active one is deactivated in the same transaction."""
    _require_admin(acting_user)
    list(AutoResponseRule.objects.select_for_update().order_by("pk"))
    AutoResponseRule.objects.filter(is_active=True).exclude(pk=rule.pk).update(is_active=False)
    try:
        with transaction.atomic():
            AutoResponseRule.objects.filter(pk=rule.pk).update(is_active=True)
    except IntegrityError:
        raise ValidationError({"__all__": ["Another rule was activated at the same time; try again."]}) from None
    return AutoResponseRule.objects.get(pk=rule.pk)


@transaction.atomic
def autoresponse_rule_deactivate(*, rule: AutoResponseRule, acting_user) -> AutoResponseRule:
    _require_admin(acting_user)
    AutoResponseRule.objects.filter(pk=rule.pk).update(is_active=False)
    return AutoResponseRule.objects.get(pk=rule.pk)


@transaction.atomic
def autoresponse_rule_delete(*, rule: AutoResponseRule, acting_user) -> None:
    _require_admin(acting_user)
    if AutoResponseRule.objects.filter(pk=rule.pk, is_active=True).exists():
        raise ValidationError({"__all__": ["Deactivate the rule (or activate another one) before deleting it."]})
    rule.delete()


# Entries -----------------------------------------------------------------------------------------


def _clean_entry(data: dict) -> dict:
    from core.criteria import criteria_as_dicts, validate_criteria

    errors: dict[str, list[str]] = {}
    template = data.get("template")
    if template is None:
        errors["template"] = ["Choose the email template to send."]
    elif not template.is_active:
        errors["template"] = ["Choose an active template."]
    from_name = " ".join((data.get("from_name") or "").split())
    from_address = (data.get("from_address") or "").strip()
    reply_to = (data.get("reply_to") or "").strip()
    if len(from_name) > 120:
        errors["from_name"] = ["Use at most 120 characters."]
    for key, value in (("from_address", from_address), ("reply_to", reply_to)):
        if value and not _valid_email(value):
            errors[key] = ["Enter a valid email address."]
    criteria = data.get("criteria") or []
    logic = (data.get("filter_logic") or "").strip()
    cleaned = []
    try:
        cleaned = validate_criteria(object_name=OBJECT_NAME, criteria=criteria, logic=logic)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return {
        "template": template,
        "from_name": from_name,
        "from_address": from_address,
        "reply_to": reply_to,
        "criteria": criteria_as_dicts(cleaned),
        "filter_logic": logic if cleaned else "",
    }


@transaction.atomic
def autoresponse_entry_create(*, rule: AutoResponseRule, data: dict, acting_user) -> AutoResponseEntry:
    """Add an entry at the end of the rule (or at ``data["sort_order"]``, moving the others down)."""
    _require_admin(acting_user)
    AutoResponseRule.objects.select_for_update().get(pk=rule.pk)
    values = _clean_entry(data)
    last = rule.entries.aggregate(m=Max("sort_order"))["m"] or 0
    position = data.get("sort_order")
    if not position or int(position) > last:
        position = last + 1
    else:
        position = max(int(position), 1)
        for entry in rule.entries.filter(sort_order__gte=position).order_by("-sort_order"):
            entry.sort_order += 1
            entry.save(update_fields=["sort_order"])
    return AutoResponseEntry.objects.create(rule=rule, sort_order=position, **values)


@transaction.atomic
def autoresponse_entry_update(*, entry: AutoResponseEntry, data: dict, acting_user) -> AutoResponseEntry:
    _require_admin(acting_user)
    entry = AutoResponseEntry.objects.select_for_update().get(pk=entry.pk)
    for key, value in _clean_entry(data).items():
        setattr(entry, key, value)
    entry.save()
    return entry


def _renumber(rule: AutoResponseRule, ordered: list[AutoResponseEntry]) -> None:
    # Two steps so that the unique (rule, sort_order) constraint holds after every statement.
    offset = len(ordered) + 1000
    for position, entry in enumerate(ordered, start=1):
        AutoResponseEntry.objects.filter(pk=entry.pk).update(sort_order=position + offset)
    for position, entry in enumerate(ordered, start=1):
        AutoResponseEntry.objects.filter(pk=entry.pk).update(sort_order=position)


@transaction.atomic
def autoresponse_entry_delete(*, entry: AutoResponseEntry, acting_user) -> None:
    _require_admin(acting_user)
    rule = AutoResponseRule.objects.select_for_update().get(pk=entry.rule_id)
    entry.delete()
    _renumber(rule, list(rule.entries.order_by("sort_order", "id")))


@transaction.atomic
def autoresponse_entry_move(*, entry: AutoResponseEntry, direction: int, acting_user) -> None:
    """Move an entry one place up (-1) or down (+1)."""
    _require_admin(acting_user)
    rule = AutoResponseRule.objects.select_for_update().get(pk=entry.rule_id)
    ordered = list(rule.entries.order_by("sort_order", "id"))
    i = next(n for n, e in enumerate(ordered) if e.pk == entry.pk)
    j = i + (1 if direction > 0 else -1)
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
        _renumber(rule, ordered)


# Sending -----------------------------------------------------------------------------------------


def autoresponse_choice(*, lead) -> tuple[EmailTemplate | None, dict, str]:
    """Which template the active rule sends to this lead: ``(template, sender, explanation)``."""
    from core.criteria import evaluate

    rule = AutoResponseRule.objects.filter(is_active=True).first()
    if rule is not None:
        for entry in rule.entries.select_related("template").order_by("sort_order", "id"):
            if not entry.template.is_active:
                continue
            result = evaluate(object_name=OBJECT_NAME, record=lead, criteria=entry.criteria, logic=entry.filter_logic)
            if result.matched:
                sender = {"from_name": entry.from_name, "from_address": entry.from_address, "reply_to": entry.reply_to}
                return entry.template, sender, f"rule “{rule.name}”, entry {entry.sort_order}"
    settings_row = AutoResponseSettings.objects.select_related("default_template").filter(singleton=1).first()
    if settings_row and settings_row.default_template and settings_row.default_template.is_active:
        sender = {
            "from_name": settings_row.default_from_name,
            "from_address": settings_row.default_from_address,
            "reply_to": settings_row.default_reply_to,
        }
        return settings_row.default_template, sender, "the default response template"
    return None, {}, ""


@transaction.atomic
def autoresponse_send(*, lead, acting_user=None, source: str) -> OutboundEmail | None:
    """Send the auto-response for a new lead, once per (lead, source).

    The first matching entry of the active rule chooses the template; otherwise the default
    response template. A lead that opted out of email or has no valid address gets nothing.
    The email appears in the lead's Emails related list and a history note records it.
    """
    to = (getattr(lead, "email", "") or "").strip()
    if getattr(lead, "email_opt_out", False) or not to or not _valid_email(to):
        return None
    source = (source or "unknown").strip()[:60]
    key = f"autoresponse:{OBJECT_NAME}:{lead.pk}:{source}"
    existing = OutboundEmail.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    template, sender, reason = autoresponse_choice(lead=lead)
    if template is None:
        return None
    try:
        # A savepoint: an auto-response that cannot be written never undoes the lead it answers.
        with transaction.atomic():
            email = email_enqueue_from_template(
                template=template,
                record=lead,
                object_name=OBJECT_NAME,
                to=to,
                kind=OutboundEmail.Kind.AUTO_RESPONSE,
                idempotency_key=key,
                acting_user=acting_user,
                **sender,
            )
    except ValidationError as exc:
        logger.warning("Auto-response to lead %s not queued: %s", lead.pk, "; ".join(exc.messages))
        return None
    history_record(
        object_name=OBJECT_NAME,
        record_id=lead.pk,
        changes=[Change("auto_response", "Auto-Response", "", f"“{template.name}” to {to}")],
        acting_user=_actor(acting_user),
        record_version=getattr(lead, "version", 0) or 0,
        note=f"Auto-response ({source}) by {reason}"[:300],
    )
    return email
