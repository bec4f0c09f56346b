"""Auto-response rules and their sending.

They live in ``emails`` (not in web-to-lead) so that web-to-lead, the leads API and imports call
the same ``autoresponse_send``; records are leads addressed through ``core.registry``.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import rules
from core.fields import validate_email
from core.history import Change, RecordChange, history_record, history_record_many
from core.roles import require_setup_admin
from core.rules import RuleKind

from ..models import AutoResponseEntry, AutoResponseRule, AutoResponseSettings, EmailTemplate, OutboundEmail
from ..rendering import field_map
from .outbox import email_enqueue_from_template
from .outbox_batch import OutboxMessage, email_enqueue_many

OBJECT_NAME = "lead"
logger = logging.getLogger(__name__)


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
    require_setup_admin(acting_user)
    row, _ = AutoResponseSettings.objects.select_for_update().get_or_create(singleton=1)
    errors: dict[str, list[str]] = {}
    if default_template is not None and not default_template.is_active:
        errors["default_template"] = [_("Choose an active template.")]
    for name, value in (("default_from_address", default_from_address), ("default_reply_to", default_reply_to)):
        if value and not _valid_email(value.strip()):
            errors[name] = [_("Enter a valid email address.")]
    if default_from_name and len(default_from_name) > 120:
        errors["default_from_name"] = [_("Use at most 120 characters.")]
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


def _clean_response(data: dict) -> dict:
    """The email an entry sends: an active template, and optionally its sender."""
    errors: dict[str, list[str]] = {}
    template = data.get("template")
    if template is None:
        errors["template"] = [_("Choose the email template to send.")]
    elif not template.is_active:
        errors["template"] = [_("Choose an active template.")]
    from_name = " ".join((data.get("from_name") or "").split())
    from_address = (data.get("from_address") or "").strip()
    reply_to = (data.get("reply_to") or "").strip()
    if len(from_name) > 120:
        errors["from_name"] = [_("Use at most 120 characters.")]
    for key, value in (("from_address", from_address), ("reply_to", reply_to)):
        if value and not _valid_email(value):
            errors[key] = [_("Enter a valid email address.")]
    if errors:
        raise ValidationError(errors)
    return {"template": template, "from_name": from_name, "from_address": from_address, "reply_to": reply_to}


def _response_problems(entry: AutoResponseEntry) -> list[str]:
    if not entry.template.is_active:
        return [_("the template “%(name)s” is inactive.") % {"name": entry.template.name}]
    return []


AUTO_RESPONSE = rules.register_kind(
    RuleKind(
        key="autoresponse",
        label=gettext_lazy("Auto-response rule"),
        rule_model=AutoResponseRule,
        entry_model=AutoResponseEntry,
        object_name=OBJECT_NAME,
        name_constraint="emails_autoresponserule_name_ci",
        clean_action=_clean_response,
        action_problems=_response_problems,
        entry_related=("template",),
    )
)


def autoresponse_rule_create(*, name: str, description: str = "", acting_user) -> AutoResponseRule:
    return rules.rule_create(kind=AUTO_RESPONSE, name=name, description=description, acting_user=acting_user)


def autoresponse_rule_update(
    *, rule: AutoResponseRule, name: str, description: str = "", acting_user
) -> AutoResponseRule:
    return rules.rule_update(kind=AUTO_RESPONSE, rule=rule, name=name, description=description, acting_user=acting_user)


def autoresponse_rule_activate(*, rule: AutoResponseRule, acting_user) -> AutoResponseRule:
    """Make this the active rule; the previously active one is deactivated in the same transaction."""
    return rules.rule_activate(kind=AUTO_RESPONSE, rule=rule, acting_user=acting_user)


def autoresponse_rule_deactivate(*, rule: AutoResponseRule, acting_user) -> AutoResponseRule:
    return rules.rule_deactivate(kind=AUTO_RESPONSE, rule=rule, acting_user=acting_user)


def autoresponse_rule_delete(*, rule: AutoResponseRule, acting_user) -> None:
    rules.rule_delete(kind=AUTO_RESPONSE, rule=rule, acting_user=acting_user)


def autoresponse_entry_problems(rule: AutoResponseRule) -> list[tuple[AutoResponseEntry, str]]:
    """Entries that cannot send as saved now (a field deleted since, a deactivated template)."""
    return rules.entry_problems(kind=AUTO_RESPONSE, rule=rule)


# Entries -----------------------------------------------------------------------------------------


def autoresponse_entry_create(*, rule: AutoResponseRule, data: dict, acting_user) -> AutoResponseEntry:
    """Add an entry at the end of the rule (or at ``data["sort_order"]``, moving the others down)."""
    return rules.entry_create(
        kind=AUTO_RESPONSE, rule=rule, data=data, position=data.get("sort_order"), acting_user=acting_user
    )


def autoresponse_entry_update(*, entry: AutoResponseEntry, data: dict, acting_user) -> AutoResponseEntry:
    return rules.entry_update(kind=AUTO_RESPONSE, entry=entry, data=data, acting_user=acting_user)


def autoresponse_entry_delete(*, entry: AutoResponseEntry, acting_user) -> None:
    rules.entry_delete(kind=AUTO_RESPONSE, entry=entry, acting_user=acting_user)


def autoresponse_entry_move(*, entry: AutoResponseEntry, direction: int, acting_user) -> None:
    """Move an entry one place up (-1) or down (+1)."""
    rules.entry_move(kind=AUTO_RESPONSE, entry=entry, direction=direction, acting_user=acting_user)


def autoresponse_picklist_usage(value) -> list[str]:
    """A provider for ``core.registry.register_picklist_usage``."""
    return rules.picklist_usage(kind=AUTO_RESPONSE, value=value)


# Sending -----------------------------------------------------------------------------------------


class AutoResponseChooser:
    """The active rule, its templates and the default response, read once for any number of
    leads: ``choose(lead)`` answers ``(template, sender, explanation)``."""

    def __init__(self) -> None:
        self.rule = rules.active_rule(AUTO_RESPONSE)
        self.compiled = None
        self.templates: dict[int, EmailTemplate] = {}
        if self.rule is not None:
            self.compiled = rules.compiled_rule(kind=AUTO_RESPONSE, rule=self.rule)
            # The compiled rule is cached per rule version; templates change on their own, so they
            # are read now (an entry whose template was deactivated is passed over).
            ids = {item.entry.template_id for item in self.compiled.entries}
            self.templates = EmailTemplate.objects.in_bulk([pk for pk in ids if pk])
        self._default: tuple | None = None

    def _usable(self, entry) -> bool:
        return entry.template_id in self.templates and self.templates[entry.template_id].is_active

    def _default_choice(self) -> tuple[EmailTemplate | None, dict, str]:
        if self._default is None:
            row = AutoResponseSettings.objects.select_related("default_template").filter(singleton=1).first()
            if row and row.default_template and row.default_template.is_active:
                sender = {
                    "from_name": row.default_from_name,
                    "from_address": row.default_from_address,
                    "reply_to": row.default_reply_to,
                }
                self._default = (row.default_template, sender, "the default response template")
            else:
                self._default = (None, {}, "")
        return self._default

    def choose(self, lead) -> tuple[EmailTemplate | None, dict, str]:
        if self.compiled is not None:
            match = self.compiled.first_match(lead, usable=self._usable)
            if match is not None:
                entry = match.entry
                sender = {"from_name": entry.from_name, "from_address": entry.from_address, "reply_to": entry.reply_to}
                return self.templates[entry.template_id], sender, f"rule “{self.rule.name}”, entry {match.number}"
        return self._default_choice()


def autoresponse_choice(*, lead) -> tuple[EmailTemplate | None, dict, str]:
    """Which template the active rule sends to this lead: ``(template, sender, explanation)``."""
    return AutoResponseChooser().choose(lead)


def _autoresponse_address(lead) -> str:
    """Where the lead's auto-response goes; "" for a lead that opted out or has no valid address."""
    to = (getattr(lead, "email", "") or "").strip()
    if getattr(lead, "email_opt_out", False) or not to or not _valid_email(to):
        return ""
    return to


def _autoresponse_key(lead, source: str) -> str:
    return f"autoresponse:{OBJECT_NAME}:{lead.pk}:{source}"


def _autoresponse_change(template: EmailTemplate, to: str) -> Change:
    return Change("auto_response", "Auto-Response", "", f"“{template.name}” to {to}")


def _autoresponse_note(source: str, reason: str) -> str:
    return f"Auto-response ({source}) by {reason}"[:300]


@transaction.atomic
def autoresponse_send(*, lead, acting_user=None, source: str) -> OutboundEmail | None:
    """Send the auto-response for a new lead, once per (lead, source).

    The first matching entry of the active rule chooses the template; otherwise the default
    response template. A lead that opted out of email or has no valid address gets nothing.
    The email appears in the lead's Emails related list and a history note records it.
    """
    to = _autoresponse_address(lead)
    if not to:
        return None
    source = (source or "unknown").strip()[:60]
    key = _autoresponse_key(lead, source)
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
        changes=[_autoresponse_change(template, to)],
        acting_user=_actor(acting_user),
        record_version=getattr(lead, "version", 0) or 0,
        note=_autoresponse_note(source, reason),
    )
    return email


@transaction.atomic
def autoresponse_send_many(
    *,
    leads: list,
    acting_user=None,
    source: str,
    request_ids: dict[int, str] | None = None,
    run_hooks: bool = True,
) -> dict[int, OutboundEmail]:
    """``autoresponse_send`` for many new leads at once: the rule is read once, the emails are
    written to the outbox in one multi-row insert and handed to the broker together on commit, and
    their history notes in one more insert. Answers the email of each lead that gets one, by lead
    id. ``request_ids`` (by lead id) tags each email with the request it answers; with
    ``run_hooks=False`` the caller runs the record change hooks once its batch is complete."""
    source = (source or "unknown").strip()[:60]
    addressed = [(lead, to) for lead in leads if (to := _autoresponse_address(lead))]
    keys = {lead.pk: _autoresponse_key(lead, source) for lead, _to in addressed}
    existing = {e.idempotency_key: e for e in OutboundEmail.objects.filter(idempotency_key__in=keys.values())}
    chooser = AutoResponseChooser()
    merge_fields = field_map(OBJECT_NAME)
    chosen, messages = [], []
    answered: dict[int, OutboundEmail] = {}
    for lead, to in addressed:
        if keys[lead.pk] in existing:
            answered[lead.pk] = existing[keys[lead.pk]]
            continue
        template, sender, reason = chooser.choose(lead)
        if template is None:
            continue
        chosen.append((lead, to, template, reason))
        messages.append(
            OutboxMessage.from_template(
                template=template,
                record=lead,
                object_name=OBJECT_NAME,
                merge_fields=merge_fields,
                to=to,
                kind=OutboundEmail.Kind.AUTO_RESPONSE,
                idempotency_key=keys[lead.pk],
                request_id=(request_ids or {}).get(lead.pk, ""),
                **sender,
            )
        )
    emails = email_enqueue_many(messages=messages, acting_user=acting_user)
    changes = []
    for (lead, to, template, reason), email in zip(chosen, emails, strict=True):
        if isinstance(email, ValidationError):
            logger.warning("Auto-response to lead %s not queued: %s", lead.pk, "; ".join(email.messages))
            continue
        answered[lead.pk] = email
        changes.append(
            RecordChange(
                lead.pk,
                _autoresponse_change(template, to),
                getattr(lead, "version", 0) or 0,
                _autoresponse_note(source, reason),
            )
        )
    history_record_many(object_name=OBJECT_NAME, changes=changes, acting_user=_actor(acting_user), run_hooks=run_hooks)
    return answered
