"""The lead list's saved list views (save, update, rename, clone, delete) and its CSV export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.roles import require_export

from .export import export_response, export_spec
from .models import ListView
from .selectors import NOT_FILTERS, list_view_for
from .services import list_view_clone, list_view_create, list_view_delete, list_view_update


def _list_url(list_view: ListView | None = None) -> str:
    url = reverse("leads:list")
    return f"{url}?list_view={list_view.pk}" if list_view else url


def _filters_from_query(query: str) -> tuple[dict[str, list[str]], str]:
    """The filters and sort of the list the user was looking at (its query string)."""
    data = QueryDict(query or "")
    filters = {
        name: [v for v in data.getlist(name) if v != ""]
        for name in data
        if name not in NOT_FILTERS | {"ordering", "apply"}
    }
    return {k: v for k, v in filters.items() if v}, data.get("ordering", "")


def _ordering(request: HttpRequest, fallback: str) -> str:
    """The sort chosen in the dialog ("" for the default order), else ``fallback``."""
    if "sort_column" not in request.POST:
        return fallback
    key = request.POST["sort_column"].strip()
    if not key:
        return ""
    return f"-{key}" if request.POST.get("sort_direction") == "desc" else key


def _sharing(request: HttpRequest) -> tuple[str, Group | None]:
    sharing = request.POST.get("sharing") or ListView.Sharing.PRIVATE
    raw = request.POST.get("shared_role", "")
    role = Group.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    return sharing, role


def errors_as_text(exc: ValidationError) -> str:
    """A service's field errors as one sentence per field, for a message."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return " ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, _("The list view was not saved: %(errors)s") % {"errors": errors_as_text(exc)})


@login_required
@require_POST
def list_view_create_view(request: HttpRequest) -> HttpResponse:
    filters, current_ordering = _filters_from_query(request.POST.get("query", ""))
    sharing, role = _sharing(request)
    try:
        list_view = list_view_create(
            name=request.POST.get("name", ""),
            columns=request.POST.getlist("columns"),
            filters=filters,
            ordering=_ordering(request, current_ordering),
            scope=request.POST.get("scope") or "all",
            sharing=sharing,
            shared_role=role,
            acting_user=request.user,
        )
    except ValidationError as exc:
        _error(request, exc)
        return redirect(f"{reverse('leads:list')}?{request.POST.get('query', '')}")
    messages.success(request, _("List view “%(name)s” saved.") % {"name": list_view.name})
    return redirect(_list_url(list_view))


def _visible(request: HttpRequest, pk: int) -> ListView:
    return list_view_for(user=request.user, pk=pk)


@login_required
@require_POST
def list_view_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a list view: name, columns, sort and sharing; with ``save_filters`` also the filters
    of the list as the user sees it now."""
    list_view = _visible(request, pk)
    changes: dict = {}
    if "name" in request.POST:
        changes["name"] = request.POST["name"]
    if "columns" in request.POST:
        changes["columns"] = request.POST.getlist("columns")
    if "sort_column" in request.POST:
        changes["ordering"] = _ordering(request, list_view.ordering)
    if "sharing" in request.POST:
        changes["sharing"], changes["shared_role"] = _sharing(request)
    if request.POST.get("save_filters"):
        filters, current_ordering = _filters_from_query(request.POST.get("query", ""))
        changes["filters"] = filters
        changes.setdefault("ordering", current_ordering or list_view.ordering)
    try:
        list_view = list_view_update(list_view=list_view, acting_user=request.user, **changes)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("List view “%(name)s” saved.") % {"name": list_view.name})
    return redirect(_list_url(list_view))


@login_required
@require_POST
def list_view_clone_view(request: HttpRequest, pk: int) -> HttpResponse:
    source = _visible(request, pk)
    name = request.POST.get("name") or _("Copy of %(name)s") % {"name": source.name}
    try:
        clone = list_view_clone(list_view=source, name=name, acting_user=request.user)
    except ValidationError as exc:
        _error(request, exc)
        return redirect(_list_url(source))
    messages.success(request, _("List view “%(name)s” saved.") % {"name": clone.name})
    return redirect(_list_url(clone))


@login_required
@require_POST
def list_view_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    list_view = _visible(request, pk)
    try:
        list_view_delete(list_view=list_view, acting_user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(_list_url(list_view))
    messages.success(request, _("List view “%(name)s” deleted.") % {"name": list_view.name})
    return redirect(_list_url())


@login_required
@require_GET
def lead_list_export_view(request: HttpRequest) -> HttpResponse:
    """The list as a CSV file: a saved list view (``list_view``) or the standard list, with the
    filters, columns and sort of the page. Needs the Export permission."""
    require_export(request.user)
    list_view = None
    raw = request.GET.get("list_view", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        list_view = _visible(request, int(raw))
    try:
        spec = export_spec(user=request.user, params=request.GET, list_view=list_view)
    except ValidationError as exc:
        messages.error(request, _("The export did not start: %(errors)s") % {"errors": errors_as_text(exc)})
        return redirect(f"{reverse('leads:list')}?{request.GET.urlencode()}")
    return export_response(spec)
