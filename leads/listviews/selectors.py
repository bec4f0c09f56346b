"""Reads of saved list views, scoped to the user asking, and what applying one means."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.shortcuts import get_object_or_404

from core.roles import is_marketing_admin

from .models import ListView

# Parameters of a list request that are not filters of the view (paging, the view itself).
NOT_FILTERS = {"list_view", "view", "page", "page_size", "format", "columns", "cursor"}
# Above this many leads the count says "10,000+": counting more reads every matching lead.
COUNT_CAP = 10_000


def may_share_list_views(user) -> bool:
    """Sharing a list view beyond its owner is for admins."""
    return is_marketing_admin(user)


def list_views_visible_to(user) -> QuerySet[ListView]:
    """The user's own list views, those shared with everyone and those shared with one of their
    roles; admins also see every view shared with a role (to manage them). Others' private views
    are seen by no one."""
    if not user.is_authenticated:
        return ListView.objects.none()
    shared = Q(sharing=ListView.Sharing.EVERYONE)
    if may_share_list_views(user):
        shared |= Q(sharing=ListView.Sharing.ROLE)
    else:
        shared |= Q(sharing=ListView.Sharing.ROLE, shared_role__in=user.groups.all())
    return (
        ListView.objects.filter(Q(owner=user) | shared)
        .select_related("owner", "shared_role")
        .order_by(Lower("name"), "id")
    )


def list_view_for(*, user, pk) -> ListView:
    """One list view the user may see, else 404."""
    return get_object_or_404(list_views_visible_to(user), pk=pk)


def list_view_is_editable_by(list_view: ListView, user) -> bool:
    """Rename, update and delete: the owner, or an admin."""
    return list_view.owner_id == user.pk or may_share_list_views(user)


@dataclass(frozen=True)
class Picker:
    mine: list[ListView]
    shared: list[ListView]


def list_view_picker(*, user) -> Picker:
    """The picker's groups besides the standard views: the user's own views, then the shared ones."""
    views = list(list_views_visible_to(user))
    return Picker(
        mine=[v for v in views if v.owner_id == user.pk],
        shared=[v for v in views if v.owner_id != user.pk],
    )


def list_view_params(
    list_view: ListView, overrides: QueryDict | None = None, *, replace_filters: bool = False
) -> QueryDict:
    """The FilterSet parameters of a list view: its filters and sort, where the request's own
    parameters (a header clicked to sort, a filter changed) take precedence. With
    ``replace_filters`` the request's filters replace the view's altogether (the filter panel was
    applied: a filter it left empty is cleared)."""
    data = QueryDict(mutable=True)
    if not replace_filters:
        for name, values in (list_view.filters or {}).items():
            data.setlist(name, [str(v) for v in (values if isinstance(values, list) else [values])])
    if list_view.ordering:
        data["ordering"] = list_view.ordering
    for name in overrides or {}:
        if name not in NOT_FILTERS | {"apply"}:
            data.setlist(name, overrides.getlist(name))
    return data


def count_capped(qs: QuerySet) -> tuple[int, bool]:
    """How many rows ``qs`` has, counted up to ``COUNT_CAP`` only: ``(count, more)``. A COUNT over
    a LIMIT subquery stops reading after COUNT_CAP + 1 rows at any table size."""
    count = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP
