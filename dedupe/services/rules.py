"""The setup of duplicate management: matching rules (plain records) and the duplicate rule, a kind
of the shared rules mechanism (one active, ordered entries with criteria; each entry names its
matching rule and the action per entry point)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import rules
from core.db import unique_as_field_error
from core.roles import require_setup_admin
from core.rules import RuleKind

from ..models import DuplicateAction, DuplicateRule, DuplicateRuleEntry, MatchingRule

ACTION_FIELDS = ("action_page", "action_api", "action_webtolead", "action_import", "action_bulk")
# Attaching adds a submission to a lead that exists: for entry points where no person answers.
ATTACH_PATHS = {"action_webtolead", "action_import", "action_bulk"}


def _clean_action(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    matching = rules.related_record(data.get("matching_rule"), MatchingRule)
    if matching is None:
        errors["matching_rule"] = [_("Choose a matching rule.")]
    values["matching_rule"] = matching
    for name in ACTION_FIELDS:
        value = data.get(name) or DuplicateRuleEntry._meta.get_field(name).default
        if value not in DuplicateAction.values:
            errors[name] = [_("Choose allow, alert, block or attach.")]
        elif value == DuplicateAction.ATTACH and name not in ATTACH_PATHS:
            errors[name] = [_("Only Web-to-Lead, imports and the bulk API can attach to an existing lead.")]
        values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


DUPLICATE = rules.register_kind(
    RuleKind(
        key="duplicate",
        label=gettext_lazy("Duplicate rule"),
        rule_model=DuplicateRule,
        entry_model=DuplicateRuleEntry,
        object_name="lead",
        name_constraint="dedupe_duplicaterule_name_ci",
        clean_action=_clean_action,
        entry_related=("matching_rule",),
    )
)


def duplicate_entry_create(*, rule: DuplicateRule, data: dict, acting_user) -> DuplicateRuleEntry:
    return rules.entry_create(kind=DUPLICATE, rule=rule, data=data, acting_user=acting_user)


def duplicate_entry_update(*, entry: DuplicateRuleEntry, data: dict, acting_user) -> DuplicateRuleEntry:
    return rules.entry_update(kind=DUPLICATE, entry=entry, data=data, acting_user=acting_user)


MATCHING_FIELDS = ("email", "gmail_dots", "phone", "company", "fuzzy_name", "name_threshold", "include_contacts")


def _matching_values(data: dict, *, exclude_pk: int | None) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Use at most %(max)d characters.") % {"max": 120}]
    elif MatchingRule.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [_("A matching rule named “%(name)s” already exists.") % {"name": name}]
    email = data.get("email") or ""
    if email not in MatchingRule.Email.values:
        errors["email"] = [_("Choose exact, normalised or not compared.")]
    try:
        threshold = Decimal(str(data.get("name_threshold", "0.6"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        threshold = None
    if threshold is None or not Decimal("0.3") <= threshold <= 1:
        errors["name_threshold"] = [_("Enter a similarity between 0.3 and 1.")]
    flags = {f: bool(data.get(f, False)) for f in ("gmail_dots", "phone", "company", "fuzzy_name")}
    flags["include_contacts"] = bool(data.get("include_contacts", True))
    if not (email or flags["phone"] or flags["company"] or flags["fuzzy_name"]):
        errors["__all__"] = [_("Compare at least one of email, phone, company or name.")]
    if errors:
        raise ValidationError(errors)
    description = str(data.get("description") or "").strip()[:500]
    return {"name": name, "description": description, "email": email, "name_threshold": threshold, **flags}


def _unique_name(name: str):
    message = _("A matching rule named “%(name)s” already exists.") % {"name": name}
    return unique_as_field_error(
        {"dedupe_matchingrule_name_ci": ("name", message), "dedupe_matchingrule_name_key": ("name", message)}
    )


@transaction.atomic
def matching_rule_create(*, data: dict, acting_user) -> MatchingRule:
    require_setup_admin(acting_user)
    values = _matching_values(data, exclude_pk=None)
    with _unique_name(values["name"]):
        return MatchingRule.objects.create(**values, created_by=acting_user, updated_by=acting_user)


@transaction.atomic
def matching_rule_update(*, rule: MatchingRule, data: dict, acting_user) -> MatchingRule:
    require_setup_admin(acting_user)
    locked = MatchingRule.objects.select_for_update().get(pk=rule.pk)
    current = {
        "name": locked.name,
        "description": locked.description,
        **{f: getattr(locked, f) for f in MATCHING_FIELDS},
    }
    for key, value in _matching_values({**current, **data}, exclude_pk=locked.pk).items():
        setattr(locked, key, value)
    locked.version += 1
    locked.updated_by = acting_user
    with _unique_name(locked.name):
        locked.save()
    # The duplicate rules using it compile again.
    DuplicateRule.objects.filter(entries__matching_rule=locked).update(version=F("version") + 1)
    return locked


@transaction.atomic
def matching_rule_delete(*, rule: MatchingRule, acting_user) -> None:
    require_setup_admin(acting_user)
    if DuplicateRuleEntry.objects.filter(matching_rule=rule).exists():
        raise ValidationError({"__all__": [_("A duplicate rule uses this matching rule: remove its entries first.")]})
    MatchingRule.objects.filter(pk=rule.pk).delete()
