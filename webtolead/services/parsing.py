"""Reading a public submission: its posted Salesforce names turned into lead data, and the answer
the visitor is given."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.fields import clean_value, is_blank
from core.memo import memoized
from core.models import FieldDefinition, FieldType, PicklistValue
from core.salesforce_ids import id15, id_checksum
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


def _salesforce_aliases() -> dict[str, str]:
    """Salesforce field id (15-character form) -> API name of the custom lead field it was."""
    return memoized(
        ("webtolead_salesforce_aliases",),
        lambda: {d.salesforce_id: api for api, d in _definitions().items() if d.is_custom and d.salesforce_id},
    )


def _converted_statuses() -> frozenset[str]:
    return memoized(
        ("webtolead_converted_statuses",),
        lambda: frozenset(
            PicklistValue.objects.filter(object_name="lead", field_name="status", is_converted=True).values_list(
                "api_name", flat=True
            )
        ),
    )


# Values of these types come from the form's HTML, not from the visitor's typing: a value we do
# not know (a hidden lead source of "Web", an option kept from Salesforce) is no reason to refuse.
SKIPPABLE_TYPES = frozenset({FieldType.PICKLIST})
CONVERTED_STATUS = "A converted status is set only by converting the lead."


@dataclass
class ParsedSubmission:
    """Lead data and custom values of a submission, the problems that refuse it (by posted name),
    and the posted values of optional fields that could not be used: ``{name: (value, reasons)}``."""

    data: dict = field(default_factory=dict)
    custom: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    unused: dict[str, tuple[object, list[str]]] = field(default_factory=dict)

    @property
    def unused_values(self) -> dict:
        return {name: value for name, (value, _) in self.unused.items()}


def _clean(definition: FieldDefinition, raw):
    try:
        return clean_value(definition, raw)
    except ValidationError:
        raise
    except (TypeError, ValueError, ArithmeticError):
        # A value no field type reads (a number too long to print, a nested object).
        raise ValidationError(_("Enter a valid value.")) from None


def _custom_name(key: str, definitions: dict[str, FieldDefinition]) -> str | None:
    """The custom field a posted name fills: its API name, or its Salesforce field id alias."""
    definition = definitions.get(key)
    if definition is not None:
        return key if definition.is_custom else None
    if len(key) in (15, 18) and key.startswith("00N"):
        short = id15(key)
        return _salesforce_aliases().get(short) if short else None
    return None


def parse_submission(*, form: WebToLeadForm, payload: dict) -> ParsedSubmission:
    """Turn posted Salesforce names into lead data and custom values; errors use the posted names.

    A value an optional field cannot take because it is not one of our picklist values (and a
    converted lead status) does not refuse the submission: the lead is made without it (the form's
    default lead source applies) and it is listed in ``unused``."""
    definitions = _definitions()
    required = {f["name"] for f in form.fields if f.get("required")} | set(ALWAYS_REQUIRED)
    parsed = ParsedSubmission()
    data, custom, errors = parsed.data, parsed.custom, parsed.errors
    for sf_name, lead_field in SALESFORCE_FIELDS.items():
        if sf_name not in payload or lead_field not in definitions:
            continue
        raw = payload[sf_name]
        if isinstance(raw, dict):
            errors[sf_name] = [_("Enter a single value.")]
            continue
        try:
            if isinstance(raw, list):
                raw = ";".join(str(v) for v in raw) if len(raw) > 1 else (raw[0] if raw else "")
            value = _clean(definitions[lead_field], raw)
        except (ValidationError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else ["Enter a valid value."]
            if definitions[lead_field].field_type in SKIPPABLE_TYPES and sf_name not in required:
                parsed.unused[sf_name] = (payload[sf_name], messages)
            else:
                errors[sf_name] = messages
            continue
        if lead_field == "annual_revenue" and value is not None:
            value = Decimal(str(value))
        if lead_field == "number_of_employees" and value is not None:
            if value < 0 or value != int(value):
                errors[sf_name] = [_("Enter a whole number of employees.")]
                continue
            value = int(value)
        if lead_field == "status" and value in _converted_statuses():
            parsed.unused[sf_name] = (payload[sf_name], [CONVERTED_STATUS])
            continue
        data[lead_field] = value
    for key, raw in payload.items():
        api_name = _custom_name(key, definitions) if isinstance(key, str) else None
        if api_name is None or (api_name != key and api_name in payload):
            continue  # not a custom field, or posted by its API name as well (which wins)
        definition = definitions[api_name]
        if isinstance(raw, list):
            raw = raw[-1] if raw else ""
        try:
            custom[api_name] = _clean(definition, raw)
        except ValidationError as exc:
            optional = not definition.is_required and key not in required and api_name not in required
            if definition.field_type in SKIPPABLE_TYPES and optional:
                parsed.unused[key] = (raw, exc.messages)
            else:
                errors[key] = exc.messages
    for api_name, definition in definitions.items():
        # Required custom fields, as ``lead_create`` will ask for them (defaults apply).
        if not (definition.is_custom and definition.is_required) or api_name in errors:
            continue
        value = custom.get(api_name, definition.default_value)
        if value is None and definition.field_type == FieldType.CHECKBOX:
            value = False
        if is_blank(value) and not any(k in errors for k in _posted_names(api_name, definition)):
            errors[api_name] = [_("This field is required.")]
    if is_blank(data.get("lead_source")) and form.lead_source:
        data["lead_source"] = form.lead_source
    for name in required:
        lead_field = SALESFORCE_FIELDS.get(name, name)
        value = data.get(lead_field) if name in SALESFORCE_FIELDS else custom.get(name)
        if is_blank(value) and name not in errors:
            errors[name] = [_("This field is required.")]
    return parsed


def _posted_names(api_name: str, definition: FieldDefinition) -> list[str]:
    names = [api_name]
    if definition.salesforce_id:
        names += [definition.salesforce_id, definition.salesforce_id + id_checksum(definition.salesforce_id)]
    return names


def _salesforce_errors(exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"__all__": exc.messages}
    return {salesforce_name(key) if key in LEAD_TO_SALESFORCE else key: msgs for key, msgs in exc.message_dict.items()}


def _reason_from(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
