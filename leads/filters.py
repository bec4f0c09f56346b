"""The one FilterSet of leads, shared by the HTML list views and the REST API.

Every filter is chosen to stay fast on a large table: the search is a prefix match served by the
``UPPER(col::text) text_pattern_ops`` indexes (migration 0003), picklist and checkbox custom
fields use JSON containment served by the GIN index, and sorting always ends with the primary key
so that paging is stable.
"""

import datetime as dt
import re

import django_filters
from django import forms
from django.db import connection
from django.db.models import DecimalField, F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Lower
from django.db.models.lookups import GreaterThanOrEqual, IContains, LessThan, LessThanOrEqual, StartsWith
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy

from core.fields import field_label
from core.models import FieldDefinition, FieldType, PicklistValue
from core.normalize import Normalized, normalize
from core.record_types import record_type_org_default
from core.registry import list_extensions
from core.selectors import field_definitions

from .fields import OBJECT_NAME
from .models import Lead
from .processes.selectors import lead_record_types
from .selectors import owner_choices

OWNER_KEY_RE = re.compile(r"^(user|queue):(\d{1,18})$")
TEXT_LIKE = {FieldType.TEXT, FieldType.TEXTAREA, FieldType.EMAIL, FieldType.PHONE, FieldType.URL}
NUMERIC = {FieldType.NUMBER, FieldType.CURRENCY, FieldType.PERCENT}
LOOKUPS = {"gte": GreaterThanOrEqual, "lte": LessThanOrEqual, "lt": LessThan}
YES_NO = [("yes", "Yes"), ("no", "No")]

# Sortable columns: key -> the expressions it orders by (descending flips them all). Each matches
# the expression of an index (migration 0014: ``(LOWER(col), id)`` for text, ``(col, id)`` for
# picklist values and dates; the owner's sort name kept on the row, ``lead_owner_sort_idx``) so that
# the first page is read off the index at any table size. Text is sorted ignoring case (the database
# collates bytewise); picklists by their stored API value. The columns are NOT NULL, so no NULLS
# LAST: it would keep a descending sort off the index.
ORDERING_COLUMNS: dict[str, tuple] = {
    "name": (Lower("last_name"), Lower("first_name")),
    "company": (Lower("company"),),
    "status": (F("status"),),
    "lead_source": (F("lead_source"),),
    "rating": (F("rating"),),
    "owner": (Lower("owner_sort_name"),),
    "created_at": (F("created_at"),),
    "last_modified_at": (F("last_modified_at"),),
    "email": (Lower("email"),),
    "city": (Lower("city"),),
    "country": (Lower("country"),),
    "title": (Lower("title"),),
    "phone": (F("phone"),),
    "industry": (F("industry"),),
}


def ordering_keys(*, custom_api_names=()) -> set[str]:
    """Every column key a list may be sorted by: standard, custom fields, columns of other apps."""
    keys = set(ORDERING_COLUMNS) | set(custom_api_names)
    for extension in list_extensions(OBJECT_NAME):
        keys |= set(extension.ordering)
    return keys


def _choices(values: list[PicklistValue]) -> dict[str, list[tuple[str, str]]]:
    """``{field: [(api_name, label), ...]}``. Inactive values stay filterable: old records hold them."""
    choices: dict[str, list[tuple[str, str]]] = {}
    for v in values:
        choices.setdefault(v.field_name, []).append(
            (v.api_name, v.display_label if v.is_active else f"{v.display_label} (inactive)")
        )
    return choices


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _custom_definitions() -> list[FieldDefinition]:
    return list(field_definitions(object_name=OBJECT_NAME, custom_only=True))


class OwnerKeyField(forms.CharField):
    """``user:<id>`` or ``queue:<id>`` (the keys of leads.ownership)."""

    def clean(self, value):
        value = super().clean(value)
        if value and not OWNER_KEY_RE.match(value):
            raise forms.ValidationError(gettext("Choose a user (user:<id>) or a queue (queue:<id>)."))
        return value


class OwnerFilter(django_filters.Filter):
    field_class = OwnerKeyField

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        kind, raw_id = OWNER_KEY_RE.match(value).groups()
        if kind == "user":
            return qs.filter(owner_user_id=int(raw_id))
        return qs.filter(owner_queue_id=int(raw_id))


class LeadOrderingFilter(django_filters.OrderingFilter):
    """Sort by whitelisted columns and active custom fields; the primary key breaks ties."""

    def __init__(self, *args, custom_api_names: list[str] | None = None, **kwargs):
        self.custom_api_names = list(custom_api_names or [])
        # Columns of other apps sort by their annotations (``leads.selectors.with_list_extensions``).
        self.extension_columns = {
            key: columns for e in list_extensions(OBJECT_NAME) for key, columns in e.ordering.items()
        }
        fields = {key: key for key in ORDERING_COLUMNS}
        fields.update({name: name for name in self.custom_api_names})
        fields.update({key: key for key in self.extension_columns})
        kwargs.setdefault("fields", fields)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        expressions = []
        for param in value:
            descending = param.startswith("-")
            key = param.lstrip("-")
            nullable = True
            if key in ORDERING_COLUMNS:
                columns = list(ORDERING_COLUMNS[key])
                nullable = False
            elif key in self.custom_api_names:
                columns = [KeyTransform(key, "custom_fields")]
            elif key in self.extension_columns:
                columns = [F(c) for c in self.extension_columns[key]]
            else:
                continue
            for column in columns:
                if nullable:
                    expressions.append(column.desc(nulls_last=True) if descending else column.asc(nulls_last=True))
                else:
                    expressions.append(column.desc() if descending else column.asc())
        if not expressions:
            return qs
        last_descending = value[-1].startswith("-")
        return qs.order_by(*expressions, "-id" if last_descending else "id")


class LeadFilter(django_filters.FilterSet):
    """Search, standard filters, custom-field filters and sorting of leads.

    Custom-field filters are added per active custom field when the FilterSet is built:
    picklist ``<api_name>`` (a value), checkbox ``<api_name>`` (yes/no), number, currency and
    percent ``<api_name>__min`` / ``__max``, date and date/time ``<api_name>__from`` / ``__to``,
    text-like ``<api_name>`` (contains).
    """

    q = django_filters.CharFilter(method="filter_search", label=gettext_lazy("Search"), max_length=200)
    # distinct=False: status is a column (no join to de-duplicate), and a DISTINCT over whole rows
    # would sort every matching lead instead of reading the first page off the status index.
    status = django_filters.MultipleChoiceFilter(
        field_name="status", label=gettext_lazy("Lead Status"), widget=forms.CheckboxSelectMultiple, distinct=False
    )
    lead_source = django_filters.ChoiceFilter(
        field_name="lead_source", label=gettext_lazy("Lead Source"), empty_label=gettext_lazy("Any")
    )
    rating = django_filters.ChoiceFilter(
        field_name="rating", label=gettext_lazy("Rating"), empty_label=gettext_lazy("Any")
    )
    industry = django_filters.ChoiceFilter(
        field_name="industry", label=gettext_lazy("Industry"), empty_label=gettext_lazy("Any")
    )
    owner = OwnerFilter(label=gettext_lazy("Owner"))
    record_type = django_filters.ChoiceFilter(
        method="filter_record_type", label=gettext_lazy("Record Type"), empty_label=gettext_lazy("Any")
    )
    created_from = django_filters.DateFilter(
        method="filter_created_from", label=gettext_lazy("Created from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = django_filters.DateFilter(
        method="filter_created_to", label=gettext_lazy("Created to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data=data, queryset=queryset, request=request, prefix=prefix)
        # Every picklist of leads in one query; the list page reuses them for labels.
        self.picklist_values = list(PicklistValue.objects.filter(object_name=OBJECT_NAME).order_by("sort_order", "id"))
        self.picklists = _choices(self.picklist_values)
        for name in ("status", "lead_source", "rating", "industry"):
            self.filters[name].extra["choices"] = self.picklists.get(name, [])
        self.filters["record_type"].extra["choices"] = lambda: [
            (str(pk), name) for pk, name in lead_record_types(active_only=False).values_list("pk", "name")
        ]
        # A callable: the users and queues are read only when the HTML panel renders the select.
        self.filters["owner"].extra["widget"] = forms.Select(choices=lambda: [("", "Any owner"), *self.owner_choices])
        self.custom_definitions = _custom_definitions()
        for definition in self.custom_definitions:
            for name, filter_ in self._custom_filters(definition):
                filter_.model = Lead
                filter_.parent = self
                self.filters[name] = filter_
        for extension in list_extensions(OBJECT_NAME):
            for name, filter_ in extension.filters().items():
                filter_.model = Lead
                filter_.parent = self
                self.filters[name] = filter_
        ordering = LeadOrderingFilter(
            label=gettext_lazy("Sort by"), custom_api_names=[d.api_name for d in self.custom_definitions]
        )
        ordering.model, ordering.parent = Lead, self
        self.filters["ordering"] = ordering

    @cached_property
    def owner_choices(self) -> list:
        return owner_choices()

    # Custom fields --------------------------------------------------------------------------

    def _custom_filters(self, definition: FieldDefinition):
        api, label, ftype = definition.api_name, field_label(definition), definition.field_type
        if ftype == FieldType.PICKLIST:
            choices = self.picklists.get(api, [])
            yield (
                api,
                django_filters.ChoiceFilter(
                    label=label, choices=choices, empty_label=gettext_lazy("Any"), method=_json_equals(api)
                ),
            )
        elif ftype == FieldType.CHECKBOX:
            yield (
                api,
                django_filters.ChoiceFilter(
                    label=label, choices=YES_NO, empty_label=gettext_lazy("Any"), method=_checkbox(api)
                ),
            )
        elif ftype in NUMERIC:
            yield f"{api}__min", django_filters.NumberFilter(label=f"{label} (min)", method=_number(api, "gte"))
            yield f"{api}__max", django_filters.NumberFilter(label=f"{label} (max)", method=_number(api, "lte"))
        elif ftype in {FieldType.DATE, FieldType.DATETIME}:
            widget = forms.DateInput(attrs={"type": "date"})
            yield (
                f"{api}__from",
                django_filters.DateFilter(label=f"{label} from", widget=widget, method=_date(api, ftype, "from")),
            )
            yield (
                f"{api}__to",
                django_filters.DateFilter(label=f"{label} to", widget=widget, method=_date(api, ftype, "to")),
            )
        elif ftype in TEXT_LIKE:
            yield api, django_filters.CharFilter(label=label, max_length=200, method=_contains(api))

    # Standard filters ------------------------------------------------------------------------

    def filter_record_type(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Leads of the record type; a lead without one follows the organisation's default."""
        default = record_type_org_default(OBJECT_NAME)
        if default is not None and str(default.pk) == str(value):
            return qs.filter(Q(record_type_id=value) | Q(record_type__isnull=True))
        return qs.filter(record_type_id=value)

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(search_q(value)) if value and value.strip() else qs

    def filter_created_from(self, qs: QuerySet, name: str, value: dt.date) -> QuerySet:
        return qs.filter(created_at__gte=_day_start(value)) if value else qs

    def filter_created_to(self, qs: QuerySet, name: str, value: dt.date) -> QuerySet:
        return qs.filter(created_at__lt=_day_start(value + dt.timedelta(days=1))) if value else qs

    # Helpers for templates -------------------------------------------------------------------

    def active_filter_count(self) -> int:
        if not self.is_bound or not self.form.is_valid():
            return 0
        return sum(
            1 for k, v in self.form.cleaned_data.items() if k not in {"q", "ordering"} and v not in (None, "", [])
        )


def _starts(field: str, normalized: str) -> Q:
    """``field`` starts with the normalised text, ignoring case and accents (the global search's
    indexes on ``UPPER(crm_unaccent(field))`` serve it on PostgreSQL)."""
    return Q(StartsWith(Normalized(F(field)), normalized))


def search_q(text: str) -> Q:
    """Prefix search over name, company and email, ignoring case and accents ("Garcia" finds
    "García" and the other way round). "Ada Lovelace" also matches first name "Ada" with last
    name "Lovelace"."""
    text = " ".join(text.split())
    normalized = normalize(text)
    condition = (
        _starts("first_name", normalized)
        | _starts("last_name", normalized)
        | _starts("company", normalized)
        | Q(email__istartswith=text)
    )
    first, _, rest = normalized.partition(" ")
    if rest:
        condition |= _starts("first_name", first) & _starts("last_name", rest)
    return condition


def _key_equals(qs: QuerySet, api: str, value, *, exclude: bool = False) -> QuerySet:
    """custom_fields[api] == value: containment on PostgreSQL (served by the GIN index), a key
    comparison elsewhere (SQLite, the embedded default, has no JSON containment)."""
    if connection.vendor == "postgresql":
        condition = Q(custom_fields__contains={api: value})
    else:
        # API names contain "__", so the key is an expression, compared through an alias.
        alias = f"_cf_{re.sub(r'[^A-Za-z0-9]', '_', api)}"
        qs = qs.alias(**{alias: KeyTransform(api, "custom_fields")})
        condition = Q(**{alias: value})
        if exclude:
            # A record without the key is "not equal" too, as with containment on PostgreSQL.
            return qs.filter(Q(**{f"{alias}__isnull": True}) | ~condition)
    return qs.exclude(condition) if exclude else qs.filter(condition)


def _json_equals(api: str):
    def method(qs: QuerySet, name: str, value) -> QuerySet:
        return _key_equals(qs, api, value) if value else qs

    return method


def _checkbox(api: str):
    def method(qs: QuerySet, name: str, value) -> QuerySet:
        if value == "yes":
            return _key_equals(qs, api, True)
        if value == "no":
            return _key_equals(qs, api, True, exclude=True)
        return qs

    return method


def _number(api: str, lookup: str):
    def method(qs: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return qs
        number = Cast(KeyTextTransform(api, "custom_fields"), DecimalField(max_digits=30, decimal_places=10))
        return qs.filter(LOOKUPS[lookup](number, value))

    return method


def _date(api: str, ftype: str, bound: str):
    def method(qs: QuerySet, name: str, value: dt.date) -> QuerySet:
        if value is None:
            return qs
        day = value if bound == "from" else value + dt.timedelta(days=1)
        # Stored as ISO text: dates "YYYY-MM-DD", date/times in UTC; both compare as text.
        edge = _day_start(day).astimezone(dt.UTC).isoformat() if ftype == FieldType.DATETIME else day.isoformat()
        lookup = "gte" if bound == "from" else "lt"
        return qs.filter(LOOKUPS[lookup](KeyTextTransform(api, "custom_fields"), edge))

    return method


def _contains(api: str):
    def method(qs: QuerySet, name: str, value: str) -> QuerySet:
        if not value or not value.strip():
            return qs
        # API names contain "__", so the key is addressed by an expression, not a lookup path.
        return qs.filter(IContains(KeyTextTransform(api, "custom_fields"), value.strip()))

    return method
