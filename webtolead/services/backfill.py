"""Filling in, on the leads, the posted values they were made without, once an admin has added
them (a picklist value such as a lead source of "Web")."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from core.fields import is_blank
from core.memo import config_scope
from core.roles import require_setup_admin
from core.selectors import picklist_default
from leads.services import lead_update

from ..fields import SALESFORCE_FIELDS
from ..models import Intake
from .parsing import _clean, _converted_statuses, _custom_name, _definitions


@dataclass(frozen=True)
class BackfillResult:
    filled: int  # values set on their leads
    decided: int  # values whose lead field someone has set meanwhile: left as they are
    remaining: int  # submissions with values still not usable


def _still_default(intake: Intake, lead, lead_field: str) -> bool:
    """Whether the lead's field holds what the submission left there (blank, or the form's default
    lead source, or the default status), so that filling it in overrides nobody's choice."""
    current = getattr(lead, lead_field)
    if is_blank(current):
        return True
    if lead_field == "lead_source":
        return current == intake.form.lead_source
    if lead_field == "status":
        return current == picklist_default(object_name="lead", field_name="status")
    return False


def _usable_now(intake: Intake) -> tuple[dict, dict, set[str], set[str]]:
    """The unused values that are valid now: lead data, custom values, the posted names they fill,
    and the names whose field was decided by someone since."""
    definitions = _definitions()
    lead = intake.lead
    data, custom, filled, decided = {}, {}, set(), set()
    for name, raw in intake.unused_values.items():
        lead_field = SALESFORCE_FIELDS.get(name)
        if lead_field is not None:
            definition = definitions.get(lead_field)
        else:
            api_name = _custom_name(name, definitions)
            definition = definitions.get(api_name) if api_name else None
        if definition is None:
            continue
        try:
            value = _clean(definition, raw[-1] if isinstance(raw, list) and raw else raw)
        except ValidationError:
            continue
        if lead_field == "status" and value in _converted_statuses():
            continue
        if lead_field is not None:
            if not _still_default(intake, lead, lead_field):
                decided.add(name)
                continue
            data[lead_field] = value
        else:
            if not is_blank(lead.custom_fields.get(definition.api_name)):
                decided.add(name)
                continue
            custom[definition.api_name] = value
        filled.add(name)
    return data, custom, filled, decided


def intake_unused_values_backfill(*, acting_user, batch_size: int = 200) -> BackfillResult:
    """Set, on the leads made from web submissions, the posted values that could not be used then
    and can be now; each submission in its own transaction, its leftovers kept for later."""
    require_setup_admin(acting_user)
    filled = decided = 0
    last_pk = 0
    while True:
        with transaction.atomic(), config_scope():
            rows = list(
                Intake.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("form", "lead")
                .exclude(unused_values={})
                .filter(pk__gt=last_pk, outcome=Intake.Outcome.CREATED, lead__isnull=False, lead__is_converted=False)
                .order_by("pk")[:batch_size]
            )
            for intake in rows:
                last_pk = intake.pk
                data, custom, names, settled = _usable_now(intake)
                if data or custom:
                    try:
                        with transaction.atomic():
                            lead_update(
                                lead=intake.lead, data=data, custom_fields=custom or None, acting_user=acting_user
                            )
                    except ValidationError:
                        # The lead refuses it now (another rule of its own): the values wait.
                        continue
                if names or settled:
                    intake.unused_values = {k: v for k, v in intake.unused_values.items() if k not in names | settled}
                    intake.save(update_fields=["unused_values"])
                filled += len(names)
                decided += len(settled)
        if len(rows) < batch_size:
            break
    remaining = Intake.objects.exclude(unused_values={}).count()
    return BackfillResult(filled=filled, decided=decided, remaining=remaining)
