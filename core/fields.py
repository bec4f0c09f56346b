"""The typed-field registry: one place that knows how each field type is validated, stored as JSON,
shown, and turned into a form field. Forms, serializers, web-to-lead and imports all call it.
"""

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from .memo import memoized
from .models import FieldDefinition, FieldType, PicklistValue
from .translation import FIELD_LABEL, HELP_TEXT, admin_translation, picklist_label, picklist_value_label

API_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,60}__c$")
PHONE_RE = re.compile(r"^[0-9+()./ \-xX]{3,40}$")
TEXT_MAX = 255
TEXTAREA_MAX = 32000
NUMBER_LIMIT = Decimal("1e15")
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.TEXTAREA, FieldType.EMAIL, FieldType.PHONE, FieldType.URL})
NUMBER_TYPES = frozenset({FieldType.NUMBER, FieldType.CURRENCY, FieldType.PERCENT})
TRUE_TEXTS, FALSE_TEXTS = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})
validate_email = EmailValidator("Enter a valid email address.")
validate_url = URLValidator(message="Enter a valid URL.", schemes=["http", "https"])
# "javascript:", "data:", "mailto:" and the like; "example.com:8080" is a host and port, not a scheme.
OTHER_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)")


def validate_web_address(value) -> None:
    """A web address people can open: ``http(s)://…`` or a bare host such as ``www.example.com``
    (checked as ``https://``). Every URL field, standard or custom, on every path, uses this one."""
    text = str(value or "").strip()
    if not text:
        return
    if "://" not in text:
        if OTHER_SCHEME_RE.match(text):
            raise ValidationError(_("Enter a web address starting with http:// or https://."), code="invalid")
        text = f"https://{text}"
    validate_url(text)


def api_name_from_label(label: str) -> str:
    """``"Preferred Contact Time"`` -> ``"Preferred_Contact_Time__c"``."""
    base = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_") or "Field"
    if not base[0].isalpha():
        base = f"F_{base}"
    return f"{base[:60]}__c"


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _decimal(value, places: int | None) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(_("Enter a number."))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise ValidationError(_("Enter a number smaller than 10^15."))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    return number


def _json_number(number: Decimal):
    return int(number) if number == number.to_integral_value() else float(number)


def active_picklist_api_names(object_name: str, field_name: str) -> set[str]:
    return memoized(
        ("active_picklist_api_names", object_name, field_name),
        lambda: frozenset(
            PicklistValue.objects.filter(object_name=object_name, field_name=field_name, is_active=True).values_list(
                "api_name", flat=True
            )
        ),
    )


def clean_value(definition: FieldDefinition, raw, *, current=None):
    """Validate one raw value (from a form, JSON or a POST) and answer its JSON form.

    Blank input answers ``None``. ``current`` is the value the record holds now: an inactive
    picklist value it already has may be kept.
    """
    ftype = definition.field_type
    if ftype == FieldType.CHECKBOX:
        if isinstance(raw, bool):
            return raw
        if is_blank(raw):
            return False
        text = str(raw).strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
        raise ValidationError(_("Enter true or false."))
    if is_blank(raw):
        return None
    if ftype in TEXT_TYPES:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise ValidationError(_("Enter text."))
        text = str(raw).strip()
        limit = definition.max_length or (TEXTAREA_MAX if ftype == FieldType.TEXTAREA else TEXT_MAX)
        if len(text) > limit:
            raise ValidationError(
                _("Ensure this value has at most %(limit)s characters (it has %(len)s).")
                % {"limit": limit, "len": len(text)}
            )
        if ftype == FieldType.EMAIL:
            validate_email(text)
        elif ftype == FieldType.URL:
            validate_web_address(text)
        elif ftype == FieldType.PHONE and not PHONE_RE.match(text):
            raise ValidationError(_("Enter a valid phone number."))
        return text
    if ftype in NUMBER_TYPES:
        places = definition.decimal_places
        if places is None:
            places = 2 if ftype == FieldType.CURRENCY else None
        number = _decimal(raw, places)
        if ftype == FieldType.PERCENT and not Decimal(-1000) <= number <= Decimal(1000):
            raise ValidationError(_("Enter a percentage between -1000 and 1000."))
        return _json_number(number)
    if ftype == FieldType.DATE:
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        try:
            parsed = parse_date(str(raw).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(_("Enter a valid date (YYYY-MM-DD)."))
        return parsed.isoformat()
    if ftype == FieldType.DATETIME:
        value = raw if isinstance(raw, dt.datetime) else None
        if value is None:
            try:
                value = parse_datetime(str(raw).strip())
            except ValueError:
                value = None
        if value is None:
            raise ValidationError(_("Enter a valid date/time (YYYY-MM-DDTHH:MM)."))
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(dt.UTC).isoformat()
    if ftype == FieldType.PICKLIST:
        text = str(raw).strip()
        allowed = active_picklist_api_names(definition.object_name, definition.api_name)
        if text not in allowed and text != current:
            raise ValidationError(_("“%(text)s” is not a valid choice.") % {"text": text})
        return text
    raise ValidationError(_("This field type cannot be set."))


def custom_definitions(object_name: str) -> list[FieldDefinition]:
    return list(
        memoized(
            ("custom_definitions", object_name),
            lambda: tuple(FieldDefinition.objects.filter(object_name=object_name, is_custom=True, is_active=True)),
        )
    )


def clean_custom_fields(object_name: str, raw: dict | None, *, existing: dict | None = None) -> dict:
    """Validate custom field values for a create (``existing is None``) or an update.

    Answers the complete ``custom_fields`` dict to store: the existing values, overlaid with the
    given ones, defaults applied on create. Raises ``ValidationError`` keyed by API name.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationError({"custom_fields": _("Expected an object of field API names to values.")})
    definitions = {d.api_name: d for d in custom_definitions(object_name)}
    errors: dict[str, list[str]] = {}
    for key in raw:
        if key not in definitions:
            errors[str(key)] = [_("Unknown custom field.")]
    creating = existing is None
    result = dict(existing or {})
    for api_name, definition in definitions.items():
        if api_name in raw:
            try:
                result[api_name] = clean_value(definition, raw[api_name], current=result.get(api_name))
            except ValidationError as exc:
                errors[api_name] = exc.messages
                continue
        elif creating:
            result[api_name] = definition.default_value if definition.default_value is not None else None
            if definition.field_type == FieldType.CHECKBOX and result[api_name] is None:
                result[api_name] = False
        if definition.is_required and is_blank(result.get(api_name)) and api_name not in errors:
            errors[api_name] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in result.items() if k in definitions or k in (existing or {})}


def localized_amount(value) -> str:
    """An amount with two decimals, grouped, in the user's locale ("1,234.50", "1 234,50")."""
    return formats.number_format(Decimal(str(value)), 2, use_l10n=True, force_grouping=True)


# Inside ``plain_formats()`` (a CSV export) dates and times keep one fixed, sortable form
# whatever the reader's locale; elsewhere they are shown in the viewer's locale and time zone.
_plain: ContextVar[bool] = ContextVar("leadcrm_plain_formats", default=False)


@contextmanager
def plain_formats() -> Iterator[None]:
    token = _plain.set(True)
    try:
        yield
    finally:
        _plain.reset(token)


def localized_datetime(value: dt.datetime | None) -> str:
    """A moment in the viewer's time zone and locale ("12/04/2026 3:05 p.m.", "04/12/2026 15:05")."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if _plain.get():
        return local.strftime("%Y-%m-%d %H:%M")
    return formats.date_format(local, "SHORT_DATETIME_FORMAT", use_l10n=True)


def localized_date(value: dt.date | None) -> str:
    """A day in the viewer's locale ("12/04/2026", "04/12/2026")."""
    if value is None:
        return ""
    if _plain.get():
        return value.isoformat()
    return formats.date_format(value, "SHORT_DATE_FORMAT", use_l10n=True)


def display_value(definition: FieldDefinition, value) -> str:
    """Human form of a stored value (escaping is the template's job)."""
    if value is None or value == "":
        return ""
    ftype = definition.field_type
    if ftype == FieldType.CHECKBOX:
        return "Yes" if value else "No"
    if ftype == FieldType.CURRENCY:
        return localized_amount(value)
    if ftype == FieldType.PERCENT:
        return f"{value}%"
    if ftype == FieldType.PICKLIST:
        label = (
            PicklistValue.objects.filter(
                object_name=definition.object_name, field_name=definition.api_name, api_name=value
            )
            .values_list("label", flat=True)
            .first()
        )
        if not label:
            return str(value)
        return picklist_label(
            label, object_name=definition.object_name, field_name=definition.api_name, api_name=str(value)
        )
    if ftype == FieldType.DATETIME:
        parsed = parse_datetime(str(value))
        if parsed:
            return localized_datetime(parsed)
    if ftype == FieldType.DATE:
        parsed_day = parse_date(str(value))
        if parsed_day:
            return localized_date(parsed_day)
    return str(value)


def picklist_choices(object_name: str, field_name: str, *, current: str | None = None, blank: bool = True):
    """Choices for a picklist input: the active values, plus the record's current value if inactive."""
    values = PicklistValue.objects.filter(object_name=object_name, field_name=field_name).filter(
        is_active=True
    ) | PicklistValue.objects.filter(object_name=object_name, field_name=field_name, api_name=current or "")
    choices = [
        (
            v.api_name,
            picklist_value_label(v) if v.is_active else _("%(label)s (inactive)") % {"label": picklist_value_label(v)},
        )
        for v in values.order_by("sort_order", "id")
    ]
    return ([("", _("--None--"))] if blank else []) + choices


def form_help_text(text: str) -> str:
    """Help text typed by admins, escaped: crispy-forms prints help text as HTML."""
    return conditional_escape(text or "")


def field_label(definition: FieldDefinition) -> str:
    """The field's label in the user's language: an admin's translation (``core.translation``),
    else for a standard field's label as seeded the catalogs' (the object's fields module marks
    it); a label an admin wrote without a translation, and every custom field's, as written."""
    translated = admin_translation(FIELD_LABEL, definition.object_name, definition.api_name)
    if translated:
        return translated
    return definition.label if definition.is_custom else _(definition.label)


def field_help_text(definition: FieldDefinition) -> str:
    """The field's help text in the user's language, on the same terms as ``field_label``."""
    if not definition.help_text:
        return definition.help_text
    translated = admin_translation(HELP_TEXT, definition.object_name, definition.api_name)
    if translated:
        return translated
    if definition.is_custom:
        return definition.help_text
    return _(definition.help_text)


def form_field(definition: FieldDefinition, *, current=None) -> forms.Field:
    """A Django form field for a custom field; values are validated again by ``clean_value``."""
    common = {
        "label": field_label(definition),
        "required": definition.is_required,
        "help_text": form_help_text(field_help_text(definition)),
    }
    ftype = definition.field_type
    if ftype == FieldType.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if ftype in NUMBER_TYPES:
        return forms.DecimalField(**common)
    if ftype == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if ftype == FieldType.DATETIME:
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if ftype == FieldType.CHECKBOX:
        common["required"] = False
        return forms.BooleanField(**common)
    if ftype == FieldType.PICKLIST:
        return forms.ChoiceField(
            choices=picklist_choices(definition.object_name, definition.api_name, current=current), **common
        )
    if ftype == FieldType.EMAIL:
        return forms.EmailField(**common)
    if ftype == FieldType.URL:
        return forms.CharField(widget=forms.URLInput(), **common)
    return forms.CharField(max_length=definition.max_length or TEXT_MAX, **common)


def form_initial(definition: FieldDefinition, value):
    """Stored JSON value -> form initial value."""
    if value is None:
        return None
    if definition.field_type == FieldType.DATE:
        return parse_date(str(value))
    if definition.field_type == FieldType.DATETIME:
        parsed = parse_datetime(str(value))
        return timezone.localtime(parsed).strftime("%Y-%m-%dT%H:%M") if parsed else None
    return value
