"""How lead fields become account, contact and opportunity fields on conversion.

One place computes the values written on conversion: the service calls it to write, the preview
calls it to show what would be written, and the mapping page shows its tables to admins.

Standard fields follow the fixed table ``STANDARD_MAPPING`` below (Salesforce's own lead field
mapping). Custom lead fields follow the admin-configured ``LeadFieldMapping`` rows; which field
types may feed which is ``TYPE_COMPATIBILITY``.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core.fields import is_blank
from core.models import FieldDefinition, FieldType, PicklistValue

TARGET_OBJECTS = ("account", "contact", "opportunity")
TARGET_LABELS = {"account": "Account", "contact": "Contact", "opportunity": "Opportunity"}

# (lead field, target object, target field). A lead field may feed several targets.
# Not mapped: fax (no fax on account or contact), status (becomes the converted status), owner
# (chosen on the convert page). The opportunity's name, stage and close date come from the
# convert page; the contact is linked to the account the conversion chose or created.
STANDARD_MAPPING: list[tuple[str, str, str]] = [
    # Account
    ("company", "account", "name"),
    ("website", "account", "website"),
    ("phone", "account", "phone"),
    ("industry", "account", "industry"),
    ("annual_revenue", "account", "annual_revenue"),
    ("number_of_employees", "account", "number_of_employees"),
    ("rating", "account", "rating"),
    ("street", "account", "billing_street"),
    ("city", "account", "billing_city"),
    ("state", "account", "billing_state"),
    ("postal_code", "account", "billing_postal_code"),
    ("country", "account", "billing_country"),
    # Contact
    ("salutation", "contact", "salutation"),
    ("first_name", "contact", "first_name"),
    ("last_name", "contact", "last_name"),
    ("title", "contact", "title"),
    ("email", "contact", "email"),
    ("phone", "contact", "phone"),
    ("mobile", "contact", "mobile"),
    ("street", "contact", "mailing_street"),
    ("city", "contact", "mailing_city"),
    ("state", "contact", "mailing_state"),
    ("postal_code", "contact", "mailing_postal_code"),
    ("country", "contact", "mailing_country"),
    ("lead_source", "contact", "lead_source"),
    ("description", "contact", "description"),
    ("email_opt_out", "contact", "email_opt_out"),
    ("do_not_call", "contact", "do_not_call"),
    # Opportunity
    ("lead_source", "opportunity", "lead_source"),
]

# Standard picklist fields of the targets (stored as the picklist value's api name).
TARGET_PICKLISTS: dict[str, tuple[str, ...]] = {
    "account": ("industry", "rating", "type"),
    "contact": ("salutation", "lead_source"),
    "opportunity": ("lead_source",),
}

# Standard fields the convert page sets itself; shown on the mapping page for completeness.
PAGE_SET_FIELDS: list[tuple[str, str, str]] = [
    ("opportunity", "name", "Opportunity Name from the convert page (defaults to “<Company>-”)"),
    ("opportunity", "stage", "Stage from the convert page (defaults to the stage picklist's default)"),
    ("opportunity", "close_date", "Close Date from the convert page (defaults to the end of the quarter)"),
    ("account", "owner", "Record Owner from the convert page (new records only)"),
    ("contact", "owner", "Record Owner from the convert page (new records only)"),
    ("opportunity", "owner", "Record Owner from the convert page"),
    ("contact", "account", "The account chosen or created by the conversion"),
    ("opportunity", "account", "The account chosen or created by the conversion"),
]

_TEXTUAL = {FieldType.TEXT, FieldType.TEXTAREA}
# Source custom field type -> target custom field types it may be copied into. Anything may be
# copied into a field that holds it without loss; text never goes into a number, a date or a
# checkbox, since nothing guarantees it parses.
TYPE_COMPATIBILITY: dict[str, set[str]] = {
    FieldType.TEXT: {FieldType.TEXT, FieldType.TEXTAREA},
    FieldType.TEXTAREA: {FieldType.TEXTAREA},
    FieldType.EMAIL: {FieldType.EMAIL} | _TEXTUAL,
    FieldType.PHONE: {FieldType.PHONE} | _TEXTUAL,
    FieldType.URL: {FieldType.URL} | _TEXTUAL,
    FieldType.NUMBER: {FieldType.NUMBER, FieldType.CURRENCY} | _TEXTUAL,
    FieldType.CURRENCY: {FieldType.CURRENCY, FieldType.NUMBER} | _TEXTUAL,
    FieldType.PERCENT: {FieldType.PERCENT, FieldType.NUMBER} | _TEXTUAL,
    FieldType.DATE: {FieldType.DATE} | _TEXTUAL,
    FieldType.DATETIME: {FieldType.DATETIME} | _TEXTUAL,
    FieldType.CHECKBOX: {FieldType.CHECKBOX},
    FieldType.PICKLIST: {FieldType.PICKLIST} | _TEXTUAL,
}
TEXT_DEFAULT_MAX = 255


def compatible_types(source_type: str) -> set[str]:
    return set(TYPE_COMPATIBILITY.get(source_type, set()))


def incompatibility(source: FieldDefinition, target: FieldDefinition) -> str:
    """Why ``source`` cannot be copied into ``target`` (empty when it can)."""
    if target.field_type not in compatible_types(source.field_type):
        allowed = ", ".join(sorted(str(FieldType(t).label) for t in compatible_types(source.field_type))) or "none"
        return (
            f"A {FieldType(source.field_type).label} field cannot be mapped to a "
            f"{FieldType(target.field_type).label} field (it may be mapped to: {allowed})."
        )
    if target.field_type == FieldType.TEXT:
        source_max = source.max_length or TEXT_DEFAULT_MAX
        target_max = target.max_length or TEXT_DEFAULT_MAX
        if source.field_type == FieldType.TEXT and target_max < source_max:
            return (
                f"{target.label} holds at most {target_max} characters, fewer than {source.label} "
                f"({source_max}); values could be cut off."
            )
    return ""


def standard_rows(target_object: str | None = None) -> list[tuple[str, str, str]]:
    return [row for row in STANDARD_MAPPING if target_object is None or row[1] == target_object]


# Values ----------------------------------------------------------------------------------------


@dataclass
class FieldPlan:
    """One field of one target record: the value conversion would write and why."""

    name: str  # target field (model column or custom api name)
    label: str
    value: object  # the value to write (None: nothing)
    source: str = ""  # lead field it came from
    note: str = ""  # "default value", "not offered by ...", "keeps its value", ...
    custom: bool = False
    writes: bool = True  # False: an existing record keeps its own value
    current: object = None  # the existing record's value (existing records only)
    # The lead's value, when the target cannot take it (a picklist value it does not offer): the
    # preview warns about it instead of letting it go unnoticed.
    not_carried: object = None


@dataclass
class ObjectPlan:
    """What conversion writes to one record (new or existing)."""

    object_name: str
    fields: list[FieldPlan] = field(default_factory=list)

    def data(self) -> dict:
        return {f.name: f.value for f in self.fields if f.writes and not f.custom}

    def custom_fields(self) -> dict:
        return {f.name: f.value for f in self.fields if f.writes and f.custom}

    @property
    def written(self) -> list[FieldPlan]:
        return [f for f in self.fields if f.writes]

    @property
    def not_carried(self) -> list[FieldPlan]:
        """Fields whose lead value the record cannot take (the preview warns about each)."""
        return [f for f in self.fields if f.not_carried is not None]


@dataclass
class MappingContext:
    """Metadata read once per conversion (or once per bulk request): labels, picklists, mappings,
    the converted lead statuses, the stages and the required custom fields. (Record-type defaults
    and restrictions are read through the configuration scope of ``core.memo``.)"""

    labels: dict[str, dict[str, str]]
    picklist_active: dict[tuple[str, str], set[str]]
    picklist_defaults: dict[tuple[str, str], str]
    picklist_labels: dict[tuple[str, str, str], str]
    picklist_order: dict[tuple[str, str, str], int]
    custom: list[tuple[FieldDefinition, FieldDefinition]]  # (lead field, target field)
    converted_statuses: list[PicklistValue] = field(default_factory=list)
    stages: list[PicklistValue] = field(default_factory=list)
    required_custom: list[FieldDefinition] = field(default_factory=list)

    @classmethod
    def load(cls) -> "MappingContext":
        from .models import LeadFieldMapping

        objects = ("lead", *TARGET_OBJECTS)
        labels: dict[str, dict[str, str]] = {name: {} for name in objects}
        required = []
        for definition in FieldDefinition.objects.filter(object_name__in=objects).only(
            "object_name", "api_name", "label", "is_custom", "is_active", "is_required", "default_value"
        ):
            labels[definition.object_name][definition.api_name] = definition.label
            if definition.is_custom and definition.is_active and definition.is_required:
                required.append(definition)
        active: dict[tuple[str, str], set[str]] = {}
        defaults: dict[tuple[str, str], str] = {}
        plabels: dict[tuple[str, str, str], str] = {}
        order: dict[tuple[str, str, str], int] = {}
        statuses, stages = [], []
        for position, value in enumerate(
            PicklistValue.objects.filter(object_name__in=objects).order_by(
                "object_name", "field_name", "sort_order", "id"
            )
        ):
            obj, fname, api = value.object_name, value.field_name, value.api_name
            plabels[(obj, fname, api)] = value.label
            order[(obj, fname, api)] = position
            if value.is_active:
                active.setdefault((obj, fname), set()).add(api)
                if (obj, fname) == ("lead", "status") and value.is_converted:
                    statuses.append(value)
                if (obj, fname) == ("opportunity", "stage"):
                    stages.append(value)
            if value.is_default:
                defaults[(obj, fname)] = api
        custom = [
            (m.lead_field, m.target_field)
            for m in LeadFieldMapping.objects.select_related("lead_field", "target_field").filter(
                lead_field__is_active=True, target_field__is_active=True
            )
        ]
        return cls(labels, active, defaults, plabels, order, custom, statuses, stages, required)

    def label(self, object_name: str, field_name: str) -> str:
        return self.labels.get(object_name, {}).get(field_name) or field_name.replace("_", " ").title()

    def picklist_label(self, object_name: str, field_name: str, value) -> str:
        return self.picklist_labels.get((object_name, field_name, str(value)), str(value))


def _standard_value(value):
    if isinstance(value, str):
        return value.strip()
    return value


def _picklist(
    ctx: MappingContext, object_name: str, field_name: str, value, *, creating: bool, allowed: set[str] | None = None
):
    """A picklist value for the target: the lead's if the target offers it, else the default.

    ``allowed``: the values the new record's record type offers (None: every active value).
    """
    offered = ctx.picklist_active.get((object_name, field_name), set())
    if allowed:
        offered = offered & allowed
    default = ctx.picklist_defaults.get((object_name, field_name))
    if default is not None and default not in offered:
        default = (
            min(offered, key=lambda v: ctx.picklist_order.get((object_name, field_name, v), 0))
            if allowed and offered
            else None
        )
    if is_blank(value):
        if creating and default:
            return default, "Default value (the lead's field is empty)"
        return None, ""
    if value in offered:
        return value, ""
    if creating and default:
        return default, f"Default value (“{value}” is not offered here)"
    return None, f"“{value}” is not offered here; left empty"


def _custom_value(
    ctx: MappingContext, source: FieldDefinition, target: FieldDefinition, raw, *, creating: bool, allowed=None
):
    if target.field_type == FieldType.PICKLIST:
        return _picklist(ctx, target.object_name, target.api_name, raw, creating=creating, allowed=allowed)
    if is_blank(raw):
        return None, ""
    if target.field_type in _TEXTUAL and source.field_type not in _TEXTUAL:
        if source.field_type == FieldType.PICKLIST:
            return ctx.picklist_label(source.object_name, source.api_name, raw), ""
        if source.field_type == FieldType.CHECKBOX:
            return ("true" if raw else "false"), ""
        return str(raw), ""
    if target.field_type == FieldType.CURRENCY and isinstance(raw, int | float):
        return float(Decimal(str(raw)).quantize(Decimal("0.01"))), ""
    return raw, ""


def plan_for(
    ctx: MappingContext,
    lead,
    object_name: str,
    *,
    existing=None,
    extra: dict | None = None,
    restrict: dict[str, set[str]] | None = None,
) -> ObjectPlan:
    """The values conversion writes to one target record.

    ``existing``: the account or contact the lead joins. Then only its empty fields are filled and
    a non-empty value is never overwritten (``writes=False`` with the current value shown).
    ``extra``: values set by the convert page (opportunity name, stage, close date).
    ``restrict``: picklist field -> values the new record's record type offers.
    """
    creating = existing is None
    restrict = restrict or {}
    plan = ObjectPlan(object_name)
    standard_picklists = TARGET_PICKLISTS.get(object_name, ())
    for lead_field, _target, target_field in standard_rows(object_name):
        value = _standard_value(getattr(lead, lead_field))
        note = ""
        lost = None
        if target_field in standard_picklists:
            lead_value = value
            value, note = _picklist(
                ctx, object_name, target_field, value, creating=creating, allowed=restrict.get(target_field)
            )
            if not is_blank(lead_value) and value != lead_value:
                lost = lead_value
        plan.fields.append(
            FieldPlan(
                target_field,
                ctx.label(object_name, target_field),
                value,
                source=lead_field,
                note=note,
                not_carried=lost,
            )
        )
    for target_field, value in (extra or {}).items():
        plan.fields.append(FieldPlan(target_field, ctx.label(object_name, target_field), value, note="Convert page"))
    if creating:
        # Picklists no lead field feeds still get the default on a new record.
        mapped = {f.name for f in plan.fields}
        for fname in standard_picklists:
            if fname not in mapped and ctx.picklist_defaults.get((object_name, fname)):
                value, note = _picklist(ctx, object_name, fname, None, creating=True, allowed=restrict.get(fname))
                plan.fields.append(FieldPlan(fname, ctx.label(object_name, fname), value, note=note))
    lead_custom = lead.custom_fields or {}
    for source, target in ctx.custom:
        if target.object_name != object_name:
            continue
        raw = lead_custom.get(source.api_name)
        value, note = _custom_value(ctx, source, target, raw, creating=creating, allowed=restrict.get(target.api_name))
        lost = raw if target.field_type == FieldType.PICKLIST and not is_blank(raw) and value != raw else None
        plan.fields.append(
            FieldPlan(
                target.api_name,
                target.label,
                value,
                source=source.api_name,
                note=note,
                custom=True,
                not_carried=lost,
            )
        )
    for item in plan.fields:
        if item.value is None and not creating:
            item.writes = False
    if existing is not None:
        current_custom = getattr(existing, "custom_fields", None) or {}
        for item in plan.fields:
            item.current = current_custom.get(item.name) if item.custom else getattr(existing, item.name, None)
            if not _empty(item.current) or _empty(item.value):
                item.writes = False
            if not _empty(item.current):
                item.not_carried = None  # the record keeps its own value either way
    return plan


def _empty(value) -> bool:
    return value is None or value is False or (isinstance(value, str) and value.strip() == "")


def not_carried_warning(ctx: MappingContext, object_name: str, item: FieldPlan) -> str:
    """What the preview says about a lead value the target cannot take."""
    where = TARGET_LABELS.get(object_name, object_name)
    lead_label = ctx.picklist_label("lead", item.source, item.not_carried) if item.source else str(item.not_carried)
    shown = display(ctx, object_name, item) if item.writes else ""
    values = {"object": where, "field": item.label, "value": lead_label, "instead": shown}
    if shown:
        return (
            _(
                "%(object)s %(field)s: “%(value)s” is not a value of this picklist, so it gets “%(instead)s” "
                "instead. Add the value to the %(object)s picklist to keep it."
            )
            % values
        )
    return (
        _(
            "%(object)s %(field)s: “%(value)s” is not a value of this picklist, so it is left empty. "
            "Add the value to the %(object)s picklist to keep it."
        )
        % values
    )


def display(ctx: MappingContext, object_name: str, item: FieldPlan) -> str:
    """The human form of a planned value (escaping is the template's job)."""
    value = item.value if item.writes else item.current
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    is_picklist = item.custom or item.name in TARGET_PICKLISTS.get(object_name, ())
    if is_picklist and (object_name, item.name, str(value)) in ctx.picklist_labels:
        return ctx.picklist_label(object_name, item.name, value)
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def not_carried_warnings(ctx: MappingContext, lead) -> list[str]:
    """The lead values that new records could not take (record types aside): the convert page
    says so before anything is chosen; the preview then answers for the actual choices."""
    return [
        not_carried_warning(ctx, object_name, item)
        for object_name in TARGET_OBJECTS
        for item in plan_for(ctx, lead, object_name).not_carried
    ]
