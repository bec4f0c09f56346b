"""Reading a public submission: its posted Salesforce names turned into lead data, and the answer
the visitor is given."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.fields import clean_value, is_blank
from core.memo import memoized
from core.models import FieldDefinition, FieldType
from leads.models import Lead

from ..fields import ALWAYS_REQUIRED, LEAD_TO_SALESFORCE, SALESFORCE_FIELDS, salesforce_name
from ..models import Intake, WebToLeadForm


def _payload_text(value) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


@dataclass
class SubmissionResult:
    """What the visitor is told: accepted (success page / 200) or the problems to fix."""

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


def _reason_from(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
