"""Scoring models and their rules (fit rules are a kind of ``core.rules``), and each lead's score:
computed from the lead's fields and engagement events, stored per model, recomputed in a worker
after an event or a change of the lead (queued on commit)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import rules
from core.breaker import publish_or_leave
from core.db import unique_as_field_error
from core.followups import followups_are_inline
from core.memo import memoized
from core.models import FieldHistory
from core.roles import require_setup_admin
from core.rules import RuleKind
from core.selectors import picklist_values
from engagement.models import EngagementEvent
from leads.fields import OBJECT_NAME
from leads.models import Lead
from leads.sort_keys import leads_score_clear, leads_score_set, leads_score_set_from

from . import domain, mql
from .models import (
    POINTS_MAX,
    POINTS_MIN,
    BehaviourRule,
    FitRule,
    LeadScore,
    LeadScoreHistory,
    ScoringModel,
    StatusProgressionRule,
)

logger = logging.getLogger(__name__)

NAME_CONSTRAINT = "scoring_scoringmodel_name_ci"
# Events older than this no longer count (their points have decayed to nothing in practice).
EVENT_WINDOW = timedelta(days=365)


def _points(value, field: str = "points") -> int:
    try:
        points = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Enter a whole number of points.")]}) from None
    if not POINTS_MIN <= points <= POINTS_MAX:
        raise ValidationError(
            {field: [_("Points must be between %(min)d and %(max)d.") % {"min": POINTS_MIN, "max": POINTS_MAX}]}
        )
    return points


def _clean_fit_action(data: dict) -> dict:
    """A fit rule's action: the points a matching lead gets, and an optional label."""
    label = " ".join(str(data.get("label") or "").split())
    if len(label) > 120:
        raise ValidationError({"label": [_("Use at most %(max)d characters.") % {"max": 120}]})
    return {"points": _points(data.get("points")), "label": label}


FIT = rules.register_kind(
    RuleKind(
        key="scoring_fit",
        label=gettext_lazy("Scoring model"),
        rule_model=ScoringModel,
        entry_model=FitRule,
        object_name=OBJECT_NAME,
        name_constraint=NAME_CONSTRAINT,
        clean_action=_clean_fit_action,
    )
)


def fit_picklist_usage(value) -> list[str]:
    """A provider for ``core.registry.register_picklist_usage``: fit rules whose criteria use a
    lead picklist value (so the value cannot be deleted)."""
    return rules.picklist_usage(kind=FIT, value=value)


# Scoring models --------------------------------------------------------------------------------


def _model_values(data: dict, *, instance: ScoringModel | None) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for key, default in (("fit_weight", 50), ("behaviour_weight", 50), ("decay_half_life_days", 30)):
        raw = data.get(key, getattr(instance, key, default))
        try:
            values[key] = int(raw)
        except (TypeError, ValueError):
            errors[key] = [_("Enter a whole number.")]
            continue
        limit = 3650 if key == "decay_half_life_days" else 100
        if not 0 <= values[key] <= limit:
            errors[key] = [_("Enter a number from 0 to %(max)d.") % {"max": limit}]
    if not errors and values["fit_weight"] + values["behaviour_weight"] == 0:
        errors["fit_weight"] = [_("Give fit or behaviour some weight.")]
    values["is_active"] = bool(data.get("is_active", getattr(instance, "is_active", True)))
    values["is_default"] = bool(data.get("is_default", getattr(instance, "is_default", False)))
    if values["is_default"] and not values["is_active"]:
        errors["is_default"] = [_("The default model must be active.")]
    values.update(mql.mql_values(data, instance=instance, errors=errors))
    if errors:
        raise ValidationError(errors)
    return values


def _name_values(data: dict, model: ScoringModel) -> dict:
    name = " ".join(str(data.get("name", model.name) or "").split())
    description = str(data.get("description", model.description) or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Use at most %(max)d characters.") % {"max": 120}]
    elif ScoringModel.objects.filter(name__iexact=name).exclude(pk=model.pk).exists():
        errors["name"] = [_duplicate(name)]
    if len(description) > 500:
        errors["description"] = [_("Use at most %(max)d characters.") % {"max": 500}]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": description}


def _duplicate(name: str) -> str:
    return _("A scoring model named “%(name)s” already exists.") % {"name": name}


def _save_model(model: ScoringModel, data: dict, acting_user) -> ScoringModel:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for clean in (
        lambda: _name_values(data, model),
        lambda: _model_values(data, instance=model if model.pk else None),
    ):
        try:
            values.update(clean())
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    for key, value in values.items():
        setattr(model, key, value)
    actor = acting_user if getattr(acting_user, "pk", None) else None
    model.updated_by = actor
    if not model.pk:
        model.created_by = actor
    else:
        model.version += 1
    was_default = model.pk is not None and ScoringModel.objects.filter(pk=model.pk, is_default=True).exists()
    if model.is_default:
        ScoringModel.objects.filter(is_default=True).exclude(pk=model.pk).update(is_default=False)
    if model.is_default != was_default:
        # The lead rows carry the default model's scores: another model's scores replace them.
        transaction.on_commit(_publish_default_sync)
    constraints = dict.fromkeys(FIT.name_constraints, ("name", _duplicate(model.name)))
    constraints["scoring_one_default"] = ("is_default", _("Another model became the default at the same moment."))
    with unique_as_field_error(constraints):
        model.save()
    return model


@transaction.atomic
def scoring_model_create(*, data: dict, acting_user) -> ScoringModel:
    """A new scoring model (active unless said otherwise; the first one is the default)."""
    require_setup_admin(acting_user)
    data = dict(data)
    if not ScoringModel.objects.filter(is_default=True).exists() and data.get("is_active", True):
        data["is_default"] = True  # the first active model is the default
    return _save_model(ScoringModel(), data, acting_user)


@transaction.atomic
def scoring_model_update(*, model: ScoringModel, data: dict, acting_user) -> ScoringModel:
    """Change a model; its leads are scored again in the background."""
    require_setup_admin(acting_user)
    locked = ScoringModel.objects.select_for_update().get(pk=model.pk)
    saved = _save_model(locked, data, acting_user)
    model_recompute_queue(saved.pk)
    return saved


@transaction.atomic
def scoring_model_delete(*, model: ScoringModel, acting_user) -> None:
    require_setup_admin(acting_user)
    locked = ScoringModel.objects.select_for_update().get(pk=model.pk)
    if locked.is_default:
        raise ValidationError({"__all__": [_("Make another model the default before deleting this one.")]})
    locked.delete()


def _touched(model_id: int, acting_user) -> None:
    rules.rule_touch(FIT, ScoringModel(pk=model_id), acting_user)
    model_recompute_queue(model_id)


# Fit rules (entries of the rules mechanism) ------------------------------------------------------


def fit_rule_create(*, model: ScoringModel, data: dict, acting_user, position: int | None = None) -> FitRule:
    entry = rules.entry_create(kind=FIT, rule=model, data=data, acting_user=acting_user, position=position)
    model_recompute_queue(model.pk)
    return entry


def fit_rule_update(*, rule: FitRule, data: dict, acting_user) -> FitRule:
    entry = rules.entry_update(kind=FIT, entry=rule, data=data, acting_user=acting_user)
    model_recompute_queue(rule.rule_id)
    return entry


def fit_rule_delete(*, rule: FitRule, acting_user) -> None:
    rules.entry_delete(kind=FIT, entry=rule, acting_user=acting_user)
    model_recompute_queue(rule.rule_id)


def fit_rule_move(*, rule: FitRule, direction: int, acting_user) -> None:
    rules.entry_move(kind=FIT, entry=rule, direction=direction, acting_user=acting_user)


# Behaviour rules -------------------------------------------------------------------------------


def _behaviour_values(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {"label": " ".join(str(data.get("label") or "").split())[:120]}
    event_type = data.get("event_type")
    if event_type not in EngagementEvent.Type.values:
        errors["event_type"] = [_("Choose one of the event types.")]
    values["event_type"] = event_type
    pattern = str(data.get("url_pattern") or "").strip()
    if len(pattern) > 500:
        errors["url_pattern"] = [_("Use at most %(max)d characters.") % {"max": 500}]
    values["url_pattern"] = pattern
    try:
        values["points"] = _points(data.get("points"))
        if values["points"] == 0:
            errors["points"] = [_("Give the rule some points (positive or negative).")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    cap = data.get("daily_cap")
    if cap in (None, ""):
        values["daily_cap"] = None
    else:
        try:
            values["daily_cap"] = int(cap)
            if not 1 <= values["daily_cap"] <= 1000:
                raise ValueError
        except (TypeError, ValueError):
            errors["daily_cap"] = [_("Enter a number from 1 to 1000, or leave it blank.")]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def behaviour_rule_create(*, model: ScoringModel, data: dict, acting_user) -> BehaviourRule:
    require_setup_admin(acting_user)
    ScoringModel.objects.select_for_update().get(pk=model.pk)
    rule = BehaviourRule.objects.create(model=model, **_behaviour_values(data))
    _touched(model.pk, acting_user)
    return rule


@transaction.atomic
def behaviour_rule_update(*, rule: BehaviourRule, data: dict, acting_user) -> BehaviourRule:
    require_setup_admin(acting_user)
    ScoringModel.objects.select_for_update().get(pk=rule.model_id)
    locked = BehaviourRule.objects.get(pk=rule.pk)
    for key, value in _behaviour_values(data).items():
        setattr(locked, key, value)
    locked.save()
    _touched(locked.model_id, acting_user)
    return locked


@transaction.atomic
def behaviour_rule_delete(*, rule: BehaviourRule, acting_user) -> None:
    require_setup_admin(acting_user)
    ScoringModel.objects.select_for_update().get(pk=rule.model_id)
    BehaviourRule.objects.filter(pk=rule.pk).delete()
    _touched(rule.model_id, acting_user)


# Scores ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    model: ScoringModel
    result: domain.Result
    computed_at: object = None
    mql_at: object = None


@dataclass(frozen=True)
class _Prepared:
    """What scoring by one model needs besides the lead: read once per model, not per lead."""

    compiled: rules.CompiledRule
    behaviour: list[domain.BehaviourRuleInput]
    velocity: list[domain.VelocityRuleInput] = ()
    progression: list[domain.ProgressionRuleInput] = ()

    @property
    def event_types(self) -> set[str]:
        return {r.event_type for r in self.behaviour} | {r.event_type for r in self.velocity}


def lead_statuses() -> set[str]:
    """The Lead Status api values that exist now (a rule naming another is skipped)."""
    return {v.api_name for v in picklist_values(object_name=OBJECT_NAME, field_name="status")}


def progression_rule_problem(rule: StatusProgressionRule, statuses: set[str]) -> str:
    """Why the rule cannot score now ("" when it can): a status it names was deleted."""
    missing = [s for s in (rule.from_status, rule.to_status) if s not in statuses]
    if missing:
        return _("The Lead Status value %(values)s no longer exists; the rule is skipped.") % {
            "values": ", ".join(f"“{m}”" for m in missing)
        }
    return ""


def _prepare(model: ScoringModel) -> _Prepared:
    progression = list(model.progression_rules.all())
    statuses = lead_statuses() if progression else set()
    return _Prepared(
        compiled=rules.compiled_rule(kind=FIT, rule=model),
        behaviour=[
            domain.BehaviourRuleInput(
                key=r.pk,
                label=str(r),
                event_type=r.event_type,
                points=r.points,
                url_pattern=r.url_pattern,
                daily_cap=r.daily_cap,
            )
            for r in model.behaviour_rules.all()
        ],
        velocity=[
            domain.VelocityRuleInput(
                key=r.pk,
                label=str(r),
                event_type=r.event_type,
                min_events=r.min_events,
                window_days=r.window_days,
                points=r.points,
                url_pattern=r.url_pattern,
            )
            for r in model.velocity_rules.all()
        ],
        progression=[
            domain.ProgressionRuleInput(
                key=r.pk,
                label=str(r),
                from_status=r.from_status,
                to_status=r.to_status,
                within=r.comparison == StatusProgressionRule.Comparison.WITHIN,
                threshold_hours=r.threshold_hours,
                points=r.points,
            )
            for r in progression
            if not progression_rule_problem(r, statuses)
        ],
    )


def status_changes_of(leads) -> dict[int, list[domain.StatusChange]]:
    """Each lead's statuses with the time it entered them, from its Field History in one query:
    the first status at creation (the old value of its first status change, or its status now),
    then every change."""
    leads = list(leads)
    rows: dict[int, list[tuple]] = {lead.pk: [] for lead in leads}
    history = (
        FieldHistory.objects.filter(object_name=OBJECT_NAME, record_id__in=list(rows), field_name="status")
        .order_by("changed_at", "id")
        .values_list("record_id", "old_value", "new_value", "changed_at")
    )
    for record_id, old, new, at in history:
        rows[record_id].append((old, new, at))
    out = {}
    for lead in leads:
        changes = rows[lead.pk]
        first = changes[0][0] if changes else lead.status
        out[lead.pk] = [domain.StatusChange(first, lead.created_at)] + [
            domain.StatusChange(new, at) for _old, new, at in changes
        ]
    return out


def _events_of(lead_ids, *, prepared: _Prepared, now) -> dict[int, list[domain.EventInput]]:
    """The events the model's behaviour rules read, per lead, in one query."""
    out: dict[int, list[domain.EventInput]] = {pk: [] for pk in lead_ids}
    if not prepared.event_types:
        return out
    rows = EngagementEvent.objects.filter(
        lead_id__in=lead_ids,
        event_type__in=prepared.event_types,
        is_machine=False,
        occurred_at__gte=now - EVENT_WINDOW,
        occurred_at__lte=now,
    ).values_list("lead_id", "event_type", "occurred_at", "url")
    for lead_id, event_type, at, url in rows:
        out[lead_id].append(domain.EventInput(event_type=event_type, occurred_at=at, url=url))
    return out


def lead_score_compute(
    *,
    lead: Lead,
    model: ScoringModel,
    now=None,
    prepared: _Prepared | None = None,
    events: list[domain.EventInput] | None = None,
    status_changes: list[domain.StatusChange] | None = None,
) -> domain.Result:
    """The lead's score by ``model`` now, with the explanation (reads only). A fit rule whose
    criteria name a field deleted since never matches (the model page flags it)."""
    now = now or timezone.now()
    prepared = prepared or _prepare(model)
    memo: dict = {}
    fit_rules = [
        domain.FitRuleInput(
            key=c.entry.pk,
            label=c.entry.label or _("Fit rule %(number)s") % {"number": c.number},
            points=c.entry.points,
            matched=c.criteria.matches(lead, memo),
        )
        for c in prepared.compiled.entries
    ]
    if events is None:
        events = _events_of([lead.pk], prepared=prepared, now=now)[lead.pk]
    if status_changes is None:
        status_changes = status_changes_of([lead])[lead.pk] if prepared.progression else []
    return domain.compute(
        model=domain.ModelInput(model.fit_weight, model.behaviour_weight, model.decay_half_life_days),
        fit_rules=fit_rules,
        behaviour_rules=prepared.behaviour,
        events=events,
        now=now,
        velocity_rules=prepared.velocity,
        progression_rules=prepared.progression,
        status_changes=status_changes,
    )


def _store(*, lead: Lead, model: ScoringModel, result: domain.Result, now) -> LeadScore:
    before = LeadScore.objects.select_for_update().filter(lead=lead, model=model).values_list("score", "grade").first()
    score, _created = LeadScore.objects.update_or_create(
        lead=lead,
        model=model,
        defaults={
            "score": result.score,
            "grade": result.grade,
            "explanation": result.as_dict(),
            "model_version": model.version,
            "computed_at": now,
        },
    )
    history_append(model=model, changed={lead.pk: before}, scores=[score], now=now)
    if model.is_default:
        leads_score_set(rows=[(lead.pk, score.score, score.grade, now)])
    mql.crossings_apply(model=model, lead_ids=[lead.pk], now=now)
    return score


def default_scores_sync() -> int:
    """Put the default model's stored scores on the lead rows (and no score on leads it has not
    scored, or on every lead when no model is the default): after another model became the
    default. Set-based; answers how many leads changed."""
    model_id = ScoringModel.objects.filter(is_default=True).values_list("pk", flat=True).first()
    if model_id is None:
        return leads_score_clear()
    scored = f"SELECT lead_id FROM {LeadScore._meta.db_table} WHERE model_id = %(model)s"
    changed = leads_score_clear(keep_sql=scored, params={"model": model_id})
    if transaction.get_connection().vendor == "postgresql":
        return changed + leads_score_set_from(
            source_sql=f"SELECT lead_id, score, grade, computed_at FROM {LeadScore._meta.db_table} "
            "WHERE model_id = %(model)s",
            params={"model": model_id},
        )
    rows = LeadScore.objects.filter(model_id=model_id).values_list("lead_id", "score", "grade", "computed_at")
    return changed + leads_score_set(rows=rows)


def _publish_default_sync() -> None:
    from .tasks import sync_default_scores

    publish_or_leave(sync_default_scores, what="the default scores' sync", swept=False)


def history_append(*, model: ScoringModel, changed: dict[int, tuple | None], scores, now) -> int:
    """One history row per lead whose score or grade differs from ``changed[lead_id]`` (the
    (score, grade) stored before, None for a first score): a recompute that changes nothing adds
    nothing. Answers how many rows were added."""
    rows = [
        LeadScoreHistory(lead_id=s.lead_id, model=model, score=s.score, grade=s.grade, changed_at=now)
        for s in scores
        if s.lead_id in changed and changed[s.lead_id] != (s.score, s.grade)
    ]
    LeadScoreHistory.objects.bulk_create(rows)
    return len(rows)


def active_models() -> list[ScoringModel]:
    return list(ScoringModel.objects.filter(is_active=True).order_by("-is_default", "name"))


@transaction.atomic
def lead_score_recompute(*, lead_id: int, now=None) -> list[LeadScore]:
    """Store the lead's score by every active model (idempotent: one row per lead and model,
    overwritten); a lead that no longer exists is skipped."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return []
    now = now or timezone.now()
    return [
        _store(lead=lead, model=model, result=lead_score_compute(lead=lead, model=model, now=now), now=now)
        for model in active_models()
    ]


def leads_scored_since(*, lead_ids, since) -> set[int]:
    """The leads whose current scores by every active model were computed at or after ``since``:
    a rescoring queued at ``since`` (after the changes that asked for it committed) has nothing
    left to do for them. When the worker falls behind, the many tasks queued for a busy lead
    thereby cost one rescoring, not one each."""
    models = ScoringModel.objects.filter(is_active=True)
    wanted = models.count()
    if not wanted:
        return set()
    return set(
        LeadScore.objects.filter(
            lead_id__in=list(lead_ids),
            model__is_active=True,
            model_version=F("model__version"),
            computed_at__gte=since,
        )
        .values("lead_id")
        .annotate(models=Count("model"))
        .filter(models=wanted)
        .values_list("lead_id", flat=True)
    )


@transaction.atomic
def leads_score_recompute(*, lead_ids, now=None) -> int:
    """Store the scores of many leads by every active model, a model at a time: its rules read
    once, the leads' events in one query, one upsert (with history and MQL hand-offs). What the
    worker runs after a transaction changed many leads (a drained batch of tracking requests).
    Answers how many leads were scored."""
    leads = list(Lead.objects.filter(pk__in=list(lead_ids)).order_by("pk"))
    if not leads:
        return 0
    now = now or timezone.now()
    for model in active_models():
        _store_batch(model=model, prepared=_prepare(model), leads=leads, now=now)
    return len(leads)


# One task scores this many leads at most (a transaction that touched more publishes several).
RESCORE_CHUNK = 500


class _LeadsToRescore:
    """The leads a transaction asked to score again: one on-commit callback per transaction
    publishes one task for them (one per lead however many changes asked; one for a batch of
    leads when the transaction touched many)."""

    def __init__(self) -> None:
        self.lead_ids: dict[int, None] = {}

    def __call__(self) -> None:
        from .tasks import recompute_lead, recompute_leads

        ids = list(self.lead_ids)
        # The changes are committed now: a score computed from this moment on counts them.
        queued_at = timezone.now().timestamp()
        if len(ids) == 1:
            _publish_or_inline(recompute_lead, ids[0], queued_at)
            return
        for start in range(0, len(ids), RESCORE_CHUNK):
            _publish_or_inline(recompute_leads, ids[start : start + RESCORE_CHUNK], queued_at)


def _publish_or_inline(task, object_id, queued_at: float) -> bool:
    """Run the rescoring task here when the caller asked for follow-ups inline (a worker's
    drain), else publish it; a rescoring that fails inline is published for the scoring worker."""
    if followups_are_inline():
        try:
            task(object_id, queued_at)
        except Exception:
            logger.warning(
                "Scoring %s(%s) inline failed; handing it to the broker.", task.name, object_id, exc_info=True
            )
        else:
            return True
    return _publish(task, object_id, queued_at)


def _pending_batch() -> _LeadsToRescore | None:
    """The current transaction's batch, if it registered one (rolled back with it: Django drops
    the callbacks of a rolled-back transaction or savepoint)."""
    connection = transaction.get_connection()
    for _sids, callback, *_rest in connection.run_on_commit:
        if isinstance(callback, _LeadsToRescore):
            return callback
    return None


def _scoring_or_alerts_active() -> bool:
    from .alerts import alert_rules_active

    return ScoringModel.objects.filter(is_active=True).exists() or alert_rules_active()


def lead_score_queue(lead_id: int) -> None:
    """Score the lead again (and check its alert rules) in a worker once the current transaction
    commits; one task per lead per transaction. Nothing to do, and no task, while no scoring model
    and no alert rule is active."""
    batch = _pending_batch()
    if batch is not None:
        batch.lead_ids[lead_id] = None
        return
    # Configuration: read once per scope (a bulk conversion changes a hundred leads).
    if not memoized(("scoring_or_alerts_active",), _scoring_or_alerts_active):
        return
    batch = _LeadsToRescore()
    batch.lead_ids[lead_id] = None
    transaction.on_commit(batch)


def leads_score_queue(lead_ids: list[int]) -> None:
    """``lead_score_queue`` for many leads: one check, one task on commit."""
    if not lead_ids:
        return
    lead_score_queue(lead_ids[0])
    batch = _pending_batch()
    if batch is not None:
        batch.lead_ids.update(dict.fromkeys(lead_ids))


def model_recompute_queue(model_id: int) -> None:
    from .tasks import recompute_model

    transaction.on_commit(lambda: _publish(recompute_model, model_id))


def _publish(task, object_id: int, *args) -> bool:
    """Hand a recompute to the broker. Never raises: with the broker down the stored score stays
    as it was until the next event or change (the lead page computes a stale model's score live)."""
    return publish_or_leave(task, object_id, *args, what=f"{task.name}({object_id})", swept=False, quiet_when_open=True)


def model_recompute(*, model_id: int, batch: int = 2000) -> int:
    """Score every open lead by the model again, a batch of leads at a time: one query for the
    leads, one for their events and one upsert of their scores per batch (the lead pages show the
    old scores meanwhile). Answers how many leads were scored."""
    model = ScoringModel.objects.filter(pk=model_id, is_active=True).first()
    if model is None:
        return 0
    now = timezone.now()
    prepared = _prepare(model)
    leads = Lead.objects.filter(is_converted=False).order_by("pk")
    count, last = 0, 0
    while True:
        chunk = list(leads.filter(pk__gt=last)[:batch])
        if not chunk:
            return count
        count += _store_batch(model=model, prepared=prepared, leads=chunk, now=now)
        last = chunk[-1].pk


def _store_batch(*, model: ScoringModel, prepared: _Prepared, leads: list[Lead], now) -> int:
    """Score ``leads`` by the model and upsert their scores in one statement, with a history row
    for each changed score; answers how many leads were scored."""
    lead_ids = [lead.pk for lead in leads]
    events = _events_of(lead_ids, prepared=prepared, now=now)
    statuses = status_changes_of(leads) if prepared.progression else {}
    before = {
        lead_id: (score, grade)
        for lead_id, score, grade in LeadScore.objects.filter(model=model, lead_id__in=lead_ids).values_list(
            "lead_id", "score", "grade"
        )
    }
    rows = []
    for lead in leads:
        result = lead_score_compute(
            lead=lead,
            model=model,
            now=now,
            prepared=prepared,
            events=events[lead.pk],
            status_changes=statuses.get(lead.pk, []),
        )
        rows.append(
            LeadScore(
                lead=lead,
                model=model,
                score=result.score,
                grade=result.grade,
                explanation=result.as_dict(),
                model_version=model.version,
                computed_at=now,
            )
        )
    LeadScore.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["lead", "model"],
        update_fields=["score", "grade", "explanation", "model_version", "computed_at"],
    )
    history_append(model=model, changed={pk: before.get(pk) for pk in lead_ids}, scores=rows, now=now)
    if model.is_default:
        leads_score_set(rows=[(row.lead_id, row.score, row.grade, now) for row in rows])
    mql.crossings_apply(model=model, lead_ids=lead_ids, now=now)
    return len(rows)


# Hooks -----------------------------------------------------------------------------------------


def on_engagement_event(*, event) -> None:
    """Engagement hook: a lead's new event changes its score."""
    if event.lead_id and not event.is_machine:
        lead_score_queue(event.lead_id)


def on_engagement_events(*, events) -> None:
    """The engagement hook for many new events at once."""
    leads_score_queue(list(dict.fromkeys(e.lead_id for e in events if e.lead_id and not e.is_machine)))


def on_record_change(*, object_name: str, record_id: int) -> None:
    """Field History hook: a changed lead is scored again."""
    if object_name == OBJECT_NAME:
        lead_score_queue(record_id)


def on_record_changes(*, object_name: str, record_ids: list[int]) -> None:
    """The Field History hook for many leads at once (a batch of new leads)."""
    if object_name == OBJECT_NAME:
        leads_score_queue(record_ids)


def lead_scores(*, lead: Lead) -> list[Scored]:
    """The lead's score by every active model (default first): stored, or computed now when the
    worker has not stored it yet."""
    stored = {s.model_id: s for s in LeadScore.objects.filter(lead=lead)}
    out = []
    for model in active_models():
        score = stored.get(model.pk)
        mql_at = score.mql_at if score is not None else None
        if score is not None and score.model_version == model.version:
            out.append(Scored(model, _result_from(score), score.computed_at, mql_at))
        else:
            now = timezone.now()
            out.append(Scored(model, lead_score_compute(lead=lead, model=model, now=now), now, mql_at))
    return out


def _result_from(score: LeadScore) -> domain.Result:
    data = score.explanation or {}
    return domain.Result(
        score=score.score,
        grade=score.grade,
        fit_score=data.get("fit_score", 0),
        behaviour_score=data.get("behaviour_score", 0),
        fit=data.get("fit", []),
        behaviour=data.get("behaviour", []),
        decay_half_life_days=data.get("decay_half_life_days", 0),
        velocity=data.get("velocity", []),
        progression=data.get("progression", []),
    )
