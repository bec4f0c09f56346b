"""Writes of saved list views: create, update (rename, filters, columns, sort, sharing), clone,
delete. Every rule is checked here, for the pages and the API alike."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from ..filters import LeadFilter, ordering_keys
from ..models import Lead
from ..selectors import LIST_VIEWS, lead_list_columns
from .models import ListView
from .selectors import NOT_FILTERS, list_view_is_editable_by, may_share_list_views

# Standard views a saved view may start from (Recently Viewed has an order of its own).
SCOPES = [key for key in LIST_VIEWS if key != "recent"]
NAME_MAX = 80
MAX_COLUMNS = 40


def _clean_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("Enter a name for the list view.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("Use at most %(max)d characters.") % {"max": NAME_MAX}})
    return name


def _clean_columns(columns) -> list[str]:
    if not isinstance(columns, list | tuple) or not all(isinstance(c, str) for c in columns):
        raise ValidationError({"columns": _("Send a list of column keys.")})
    valid = {c.key for c in lead_list_columns()}
    unknown = [c for c in columns if c not in valid]
    if unknown:
        raise ValidationError({"columns": _("Unknown column: %(keys)s.") % {"keys": ", ".join(unknown)}})
    chosen = list(dict.fromkeys(columns))
    if not chosen:
        raise ValidationError({"columns": _("Choose at least one column.")})
    if len(chosen) > MAX_COLUMNS:
        raise ValidationError({"columns": _("Choose at most %(max)d columns.") % {"max": MAX_COLUMNS}})
    return chosen


def _clean_ordering(ordering, *, filterset: LeadFilter) -> str:
    if ordering is None:
        return ""
    if not isinstance(ordering, str):
        raise ValidationError({"ordering": _("Send the sort as text, e.g. -created_at.")})
    keys = [part.strip() for part in ordering.split(",") if part.strip()]
    valid = ordering_keys(custom_api_names=[d.api_name for d in filterset.custom_definitions])
    unknown = [k for k in keys if k.lstrip("-") not in valid]
    if unknown:
        raise ValidationError({"ordering": _("Unknown sort column: %(keys)s.") % {"keys": ", ".join(unknown)}})
    return ",".join(keys)


def _clean_filters(filters) -> tuple[dict[str, list[str]], LeadFilter]:
    """The filters as ``{name: [values]}``, each a filter of the lead FilterSet with a valid value."""
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        raise ValidationError({"filters": _("Send an object of filter names to values.")})
    cleaned: dict[str, list[str]] = {}
    data = QueryDict(mutable=True)
    for name, values in filters.items():
        values = values if isinstance(values, list) else [values]
        if not all(isinstance(v, str | int | float | bool) for v in values):
            raise ValidationError({"filters": _("%(name)s: send text values.") % {"name": name}})
        values = [str(v).lower() if isinstance(v, bool) else str(v) for v in values if str(v) != ""]
        if values:
            cleaned[name] = values
            data.setlist(name, values)
    filterset = LeadFilter(data, queryset=Lead.objects.none())
    unknown = [name for name in cleaned if name not in filterset.filters or name in NOT_FILTERS | {"ordering"}]
    if unknown:
        raise ValidationError({"filters": _("Unknown filter: %(names)s.") % {"names": ", ".join(unknown)}})
    if not filterset.is_valid():
        raise ValidationError({"filters": [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]})
    return cleaned, filterset


def _clean_sharing(sharing, shared_role, *, acting_user, current: ListView | None):
    sharing = sharing or ListView.Sharing.PRIVATE
    if sharing not in ListView.Sharing.values:
        raise ValidationError({"sharing": _("Choose private, role or everyone.")})
    changed = current is None or sharing != current.sharing or shared_role != current.shared_role
    if sharing != ListView.Sharing.PRIVATE and changed and not may_share_list_views(acting_user):
        raise ValidationError({"sharing": _("Only admins may share a list view.")})
    if sharing == ListView.Sharing.ROLE and shared_role is None:
        raise ValidationError({"shared_role": _("Choose the role to share the list view with.")})
    return sharing, shared_role if sharing == ListView.Sharing.ROLE else None


def _clean_scope(scope) -> str:
    scope = scope or "all"
    if scope not in SCOPES:
        raise ValidationError({"scope": _("Choose one of: %(join)s.") % {"join": ", ".join(SCOPES)}})
    return scope


def _save(list_view: ListView) -> ListView:
    try:
        with transaction.atomic():
            list_view.save()
    except IntegrityError as exc:
        if "leads_listview_name_per_owner_ci" in str(exc):
            raise ValidationError(
                {"name": _("The owner already has a list view named “%(name)s”.") % {"name": list_view.name}}
            ) from None
        raise
    return list_view


@transaction.atomic
def list_view_create(
    *,
    name: str,
    columns: list[str],
    filters: dict | None = None,
    ordering: str = "",
    scope: str = "all",
    sharing: str = ListView.Sharing.PRIVATE,
    shared_role=None,
    acting_user,
) -> ListView:
    """A new list view owned by the acting user. Unknown columns, filters or sort keys and
    invalid filter values are field errors; sharing beyond the owner takes an admin."""
    errors: dict = {}
    values: dict = {}
    steps = [
        ("name", lambda: _clean_name(name)),
        ("scope", lambda: _clean_scope(scope)),
        ("columns", lambda: _clean_columns(columns)),
        ("filters", lambda: _clean_filters(filters)),
        ("sharing", lambda: _clean_sharing(sharing, shared_role, acting_user=acting_user, current=None)),
    ]
    for key, step in steps:
        try:
            values[key] = step()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "filters" in values:
        try:
            values["ordering"] = _clean_ordering(ordering, filterset=values["filters"][1])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    sharing_value, role = values["sharing"]
    return _save(
        ListView(
            name=values["name"],
            owner=acting_user,
            scope=values["scope"],
            filters=values["filters"][0],
            columns=values["columns"],
            ordering=values["ordering"],
            sharing=sharing_value,
            shared_role=role,
            created_at=now,
            last_modified_at=now,
            last_modified_by=acting_user,
        )
    )


UNSET = object()


@transaction.atomic
def list_view_update(
    *,
    list_view: ListView,
    acting_user,
    name=UNSET,
    columns=UNSET,
    filters=UNSET,
    ordering=UNSET,
    scope=UNSET,
    sharing=UNSET,
    shared_role=UNSET,
) -> ListView:
    """Change what is given (rename, filters, columns, sort, sharing): the owner or an admin."""
    list_view = ListView.objects.select_for_update().get(pk=list_view.pk)
    if not list_view_is_editable_by(list_view, acting_user):
        raise PermissionDenied(_("Only the owner of a list view or an admin may change it."))
    errors: dict = {}
    filterset = None

    def attempt(clean):
        try:
            return clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
            return UNSET

    if name is not UNSET:
        list_view.name = attempt(lambda: _clean_name(name))
    if scope is not UNSET:
        list_view.scope = attempt(lambda: _clean_scope(scope))
    if columns is not UNSET:
        list_view.columns = attempt(lambda: _clean_columns(columns))
    cleaned = attempt(lambda: _clean_filters(list_view.filters if filters is UNSET else filters))
    if cleaned is not UNSET:
        list_view.filters, filterset = cleaned
        if ordering is not UNSET:
            list_view.ordering = attempt(lambda: _clean_ordering(ordering, filterset=filterset))
    if sharing is not UNSET or shared_role is not UNSET:
        new_sharing = list_view.sharing if sharing is UNSET else sharing
        new_role = list_view.shared_role if shared_role is UNSET else shared_role
        result = attempt(lambda: _clean_sharing(new_sharing, new_role, acting_user=acting_user, current=list_view))
        if result is not UNSET:
            list_view.sharing, list_view.shared_role = result
    if errors:
        raise ValidationError(errors)
    list_view.last_modified_at = timezone.now()
    list_view.last_modified_by = acting_user
    return _save(list_view)


@transaction.atomic
def list_view_clone(*, list_view: ListView, name: str, acting_user) -> ListView:
    """A private copy of a list view the user can see, owned by the user."""
    return list_view_create(
        name=name,
        columns=list_view.columns,
        filters=list_view.filters,
        ordering=list_view.ordering,
        scope=list_view.scope,
        acting_user=acting_user,
    )


@transaction.atomic
def list_view_delete(*, list_view: ListView, acting_user) -> None:
    if not list_view_is_editable_by(list_view, acting_user):
        raise PermissionDenied(_("Only the owner of a list view or an admin may delete it."))
    ListView.objects.filter(pk=list_view.pk).delete()
