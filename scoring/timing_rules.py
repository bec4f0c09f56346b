"""Writes of a scoring model's timing rules: velocity rules (N events of a type within D days)
and status-progression rules (time between two Lead Status values). Like behaviour rules, each
change locks the model, bumps its version and has its leads scored again in the background."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.roles import require_setup_admin
from engagement.models import EngagementEvent

from .models import ScoringModel, StatusProgressionRule, VelocityRule
from .services import _points, _touched, lead_statuses, progression_rule_problem


def _whole(data: dict, key: str, low: int, high: int, errors: dict) -> int | None:
    try:
        value = int(data.get(key))
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        errors[key] = [_("Enter a whole number from %(min)d to %(max)d.") % {"min": low, "max": high}]
        return None
    return value


def _nonzero_points(data: dict, errors: dict) -> int | None:
    try:
        points = _points(data.get("points"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None
    if points == 0:
        errors["points"] = [_("Give the rule some points (positive or negative).")]
    return points


def _label(data: dict) -> str:
    return " ".join(str(data.get("label") or "").split())[:120]


def _velocity_values(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {"label": _label(data), "event_type": data.get("event_type")}
    if values["event_type"] not in EngagementEvent.Type.values:
        errors["event_type"] = [_("Choose one of the event types.")]
    values["url_pattern"] = str(data.get("url_pattern") or "").strip()
    if len(values["url_pattern"]) > 500:
        errors["url_pattern"] = [_("Use at most %(max)d characters.") % {"max": 500}]
    values["min_events"] = _whole(data, "min_events", 2, 1000, errors)
    values["window_days"] = _whole(data, "window_days", 1, 365, errors)
    values["points"] = _nonzero_points(data, errors)
    if errors:
        raise ValidationError(errors)
    return values


def _progression_values(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {"label": _label(data)}
    statuses = lead_statuses()
    for key in ("from_status", "to_status"):
        values[key] = str(data.get(key) or "")
        if values[key] not in statuses:
            errors[key] = [_("Choose a Lead Status value.")]
    if not errors and values["from_status"] == values["to_status"]:
        errors["to_status"] = [_("Choose a status other than the first one.")]
    values["comparison"] = data.get("comparison")
    if values["comparison"] not in StatusProgressionRule.Comparison.values:
        errors["comparison"] = [_("Choose “within” or “over”.")]
    values["unit"] = data.get("unit") or StatusProgressionRule.Unit.DAYS
    if values["unit"] not in StatusProgressionRule.Unit.values:
        errors["unit"] = [_("Choose hours or days.")]
    values["threshold"] = _whole(data, "threshold", 1, 8760, errors)
    values["points"] = _nonzero_points(data, errors)
    if errors:
        raise ValidationError(errors)
    return values


_VALUES = {VelocityRule: _velocity_values, StatusProgressionRule: _progression_values}


@transaction.atomic
def _create(rule_class: type[models.Model], *, model: ScoringModel, data: dict, acting_user):
    require_setup_admin(acting_user)
    ScoringModel.objects.select_for_update().get(pk=model.pk)
    rule = rule_class.objects.create(model=model, **_VALUES[rule_class](data))
    _touched(model.pk, acting_user)
    return rule


@transaction.atomic
def _update(rule, *, data: dict, acting_user):
    require_setup_admin(acting_user)
    ScoringModel.objects.select_for_update().get(pk=rule.model_id)
    locked = type(rule).objects.get(pk=rule.pk)
    for key, value in _VALUES[type(rule)](data).items():
        setattr(locked, key, value)
    locked.save()
    _touched(locked.model_id, acting_user)
    return locked


@transaction.atomic
def _delete(rule, *, acting_user) -> None:
    require_setup_admin(acting_user)
    ScoringModel.objects.select_for_update().get(pk=rule.model_id)
    type(rule).objects.filter(pk=rule.pk).delete()
    _touched(rule.model_id, acting_user)


def velocity_rule_create(*, model: ScoringModel, data: dict, acting_user) -> VelocityRule:
    """Points for ``min_events`` events of a type (optionally on matching URLs) within
    ``window_days`` days."""
    return _create(VelocityRule, model=model, data=data, acting_user=acting_user)


def velocity_rule_update(*, rule: VelocityRule, data: dict, acting_user) -> VelocityRule:
    return _update(rule, data=data, acting_user=acting_user)


def velocity_rule_delete(*, rule: VelocityRule, acting_user) -> None:
    _delete(rule, acting_user=acting_user)


def progression_rule_create(*, model: ScoringModel, data: dict, acting_user) -> StatusProgressionRule:
    """Points for the time a lead took from one Lead Status to another, within or over a
    threshold in hours or days."""
    return _create(StatusProgressionRule, model=model, data=data, acting_user=acting_user)


def progression_rule_update(*, rule: StatusProgressionRule, data: dict, acting_user) -> StatusProgressionRule:
    return _update(rule, data=data, acting_user=acting_user)


def progression_rule_delete(*, rule: StatusProgressionRule, acting_user) -> None:
    _delete(rule, acting_user=acting_user)


def progression_rule_problems(model: ScoringModel) -> dict[int, str]:
    """The model's status-progression rules that name a deleted Lead Status value, with why
    (shown on the model page; scoring skips them)."""
    statuses = lead_statuses()
    problems = {r.pk: progression_rule_problem(r, statuses) for r in model.progression_rules.all()}
    return {pk: problem for pk, problem in problems.items() if problem}
