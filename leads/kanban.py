"""The Kanban board of leads: one column per value of a lead picklist, cards moved between columns.

The board starts from the same list views, sharing and FilterSet as the lead list; a move goes
through ``lead_update`` like an edit (same validation, the version the user saw). A converted-flag
status is reached only by converting: dropping a card there opens the lead's convert page.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.models import PicklistValue
from core.selectors import picklist_values

from .fields import OBJECT_NAME
from .filters import LeadFilter
from .models import Lead
from .processes.selectors import lead_process_statuses, lead_record_type_get
from .selectors import LIST_VIEWS, lead_detail, lead_is_editable_by, lead_list
from .services import LeadEditConflict, closed_status_needs_reason, converted_status_error, lead_update

# The lead picklists a board can group by (salutation is a form of address, not a stage).
GROUP_FIELDS = {
    "status": gettext_lazy("Lead Status"),
    "lead_source": gettext_lazy("Lead Source"),
    "rating": gettext_lazy("Rating"),
    "industry": gettext_lazy("Industry"),
}
CARD_CAP = 50
# Beyond this a column says "10,000+ more" instead of counting every lead.
COUNT_CAP = 10_000
SESSION_VIEW = "leads.list.view"
# Query parameters of the board that the lead list does not take.
BOARD_ONLY = {"group", "page", "page_size"}


@dataclass
class KanbanColumn:
    value: str
    label: str
    is_converted: bool
    is_active: bool = True
    cards: list[Lead] = field(default_factory=list)
    more: int = 0
    more_capped: bool = False
    more_url: str = ""


def _query(params: dict[str, list[str]]) -> str:
    return urlencode([(k, v) for k, values in params.items() for v in values])


def _list_url(request: HttpRequest, group: str, value: str) -> str:
    """The lead list with the board's view and filters, narrowed to one column's value."""
    params = {k: v for k, v in request.GET.lists() if k not in BOARD_ONLY and k != group}
    if value:
        params[group] = [value]
    return f"{reverse('leads:list')}?{_query(params)}"


def group_values(group: str) -> list[PicklistValue]:
    return list(picklist_values(object_name=OBJECT_NAME, field_name=group))


def kanban_columns(*, leads, group: str, values: list[PicklistValue], cap: int = CARD_CAP) -> list[KanbanColumn]:
    """One column per active value of ``group`` in picklist order (an inactive value only while
    leads hold it), then "None" for a field that may be blank; ``cap`` cards each."""
    columns = [
        KanbanColumn(v.api_name, v.display_label, v.field_name == "status" and v.is_converted, v.is_active)
        for v in values
    ]
    inactive = {v.api_name for v in values if not v.is_active}
    if group != "status":
        columns.append(KanbanColumn("", _("None"), False))
    kept = []
    for column in columns:
        window = list(leads.filter(**{group: column.value})[: cap + 1])
        if column.value in inactive and not window:
            continue
        column.cards = window[:cap]
        if len(window) > cap:
            counted = leads.filter(**{group: column.value})[: COUNT_CAP + 1].count()
            column.more = min(counted, COUNT_CAP) - cap
            column.more_capped = counted > COUNT_CAP
        kept.append(column)
    return kept


@login_required
def lead_kanban_view(request: HttpRequest) -> HttpResponse:
    group = request.GET.get("group") or "status"
    if group not in GROUP_FIELDS:
        group = "status"
    view = request.GET.get("view") or request.session.get(SESSION_VIEW) or "my"
    if view not in LIST_VIEWS:
        view = "my"
    filterset = LeadFilter(request.GET, queryset=lead_list(user=request.user, view=view), request=request)
    leads = filterset.qs
    if not request.GET.get("ordering"):
        leads = leads.order_by("-created_at", "-id")
    values = [v for v in filterset.picklist_values if v.field_name == group]
    record_type = lead_record_type_get(request.GET.get("record_type")) if request.GET.get("record_type") else None
    if group == "status" and record_type is not None:
        # A board of one record type shows the columns of its process, in its order.
        offered = lead_process_statuses(record_type)
        values = sorted((v for v in values if v.api_name in offered), key=lambda v: offered.index(v.api_name))
    columns = kanban_columns(leads=leads, group=group, values=values)
    ratings = {v.api_name: v.display_label for v in filterset.picklist_values if v.field_name == "rating"}
    for column in columns:
        column.more_url = _list_url(request, group, column.value)
        for card in column.cards:
            card.rating_label = ratings.get(card.rating, card.rating)
    list_params = {k: v for k, v in request.GET.lists() if k not in BOARD_ONLY}
    list_params.setdefault("view", [view])
    context = {
        "view": view,
        "view_label": LIST_VIEWS[view],
        "list_views": LIST_VIEWS,
        "group": group,
        "group_label": GROUP_FIELDS[group],
        "group_fields": GROUP_FIELDS,
        "columns": columns,
        "targets": [(c.value, c.label, c.is_converted) for c in columns if c.is_active],
        "filter": filterset,
        "query": request.GET.get("q", ""),
        "hidden_params": [
            (k, v) for k, values in request.GET.lists() if k not in BOARD_ONLY | {"q", "view"} for v in values
        ],
        "list_url": f"{reverse('leads:list')}?{_query(list_params)}",
        "board_url": request.get_full_path(),
        "card_cap": CARD_CAP,
    }
    return render(request, "leads/lead_kanban.html", context)


class MoveForm(forms.Form):
    lead = forms.IntegerField(min_value=1)
    field = forms.ChoiceField(choices=[(k, k) for k in GROUP_FIELDS])
    value = forms.CharField(max_length=120, required=False)
    version = forms.IntegerField(min_value=1)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("leads:kanban")


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.htmx:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect(_back(request))


@login_required
@require_POST
def lead_kanban_move(request: HttpRequest) -> HttpResponse:
    """Move a card: set the lead's value of the board's picklist, as an edit would."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, _("This move could not be read; reload the board and try again."), 400)
    data = form.cleaned_data
    lead = lead_detail(user=request.user, pk=data["lead"])
    if not lead_is_editable_by(lead, request.user):
        raise PermissionDenied(_("You may not edit this lead."))
    group, value = data["field"], data["value"].strip()
    if group == "status" and converted_status_error(value) is not None:
        # Only converting gives a lead a converted status: the convert page takes over.
        target = reverse("conversion:convert", args=[lead.pk])
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    if group == "status" and closed_status_needs_reason(value):
        # A closed status needs its reason: the lead page's closing step asks for it.
        target = reverse("leads:detail", args=[lead.pk]) + "?close=1#lead-path"
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    try:
        # A move is a person's edit, so the duplicate rule judges it like one; the board's fields
        # (GROUP_FIELDS) are none of those the rule compares, so in practice a move never alerts.
        lead = lead_update(
            lead=lead,
            data={group: value},
            expected_version=data["version"],
            acting_user=request.user,
            duplicates="page",
        )
    except LeadEditConflict:
        return _refused(request, _("Someone changed this lead meanwhile; reload the board and try again."), 409)
    except ValidationError as exc:
        return _refused(request, " ".join(exc.messages), 400)
    except PermissionError as exc:
        return _refused(request, str(exc), 403)
    values = {v.api_name: v for v in group_values(group)}
    label = values[value].display_label if value in values else (value or _("None"))
    if not request.htmx:
        messages.success(request, _("%(lead)s moved to %(column)s.") % {"lead": lead.name, "column": label})
        return redirect(_back(request))
    lead = Lead.objects.select_related("owner_user", "owner_queue").get(pk=lead.pk)
    targets = [
        (v.api_name, v.display_label, v.field_name == "status" and v.is_converted)
        for v in values.values()
        if v.is_active
    ]
    if group != "status":
        targets.append(("", _("None"), False))
    ratings = {v.api_name: v.display_label for v in group_values("rating")}
    lead.rating_label = ratings.get(lead.rating, lead.rating)
    context = {
        "lead": lead,
        "group": group,
        "value": value,
        "targets": targets,
        "board_url": _back(request),
    }
    response = render(request, "leads/partials/kanban_card.html", context)
    response["HX-Trigger"] = "kanbanMoved"
    return response
