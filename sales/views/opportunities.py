"""Opportunity pages and the stage path."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.selectors import picklist_labels

from .. import selectors, services
from ..fields import OPPORTUNITY
from ..forms import ContactRoleForm, LineItemForm
from ..models import Opportunity
from .common import _account_param, _editable_opportunity, _editable_or_403, _errors_message, _url
from .record_forms import _form_page, _inline_edit
from .records import _delete_page, _detail_context, _list_view


@login_required
def opportunity_list(request):
    return _list_view(request, OPPORTUNITY)


def _stage_path(opportunity: Opportunity) -> list[dict]:
    """The open stages in order, then one closing step: Closed Won / Closed Lost at the end."""
    stages = selectors.stage_values()
    offered = {
        v.api_name
        for v in selectors.allowed_picklist_values(
            object_name=OPPORTUNITY, field_name="stage", record_type=opportunity.record_type
        )
    }
    current = next((s for s in stages if s.api_name == opportunity.stage), None)
    open_stages = [s for s in stages if not s.is_closed and (s.api_name in offered or s == current)]
    closed_stages = [s for s in stages if s.is_closed and (s.api_name in offered or s == current)]
    current_index = next((i for i, s in enumerate(open_stages) if s == current), None)
    steps = []
    for i, stage in enumerate(open_stages):
        if current is not None and current.is_closed:
            state = "complete" if current.is_won else ""
        elif current_index is not None and i < current_index:
            state = "complete"
        elif stage == current:
            state = "current"
        else:
            state = ""
        steps.append({"stage": stage, "state": state, "label": stage.label})
    if current is not None and current.is_closed:
        steps.append({"stage": current, "state": "complete" if current.is_won else "lost", "label": current.label})
    else:
        steps.append({"stage": None, "state": "", "label": "Closed", "choices": closed_stages})
    return steps


@login_required
def opportunity_detail(request, pk: int):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.user), pk=pk)
    context = _detail_context(request, opportunity, OPPORTUNITY)
    line_items = list(selectors.opportunity_line_items(opportunity=opportunity))
    context.update(
        path=_stage_path(opportunity),
        line_items=line_items,
        line_total=sum((item.total_price for item in line_items), start=0),
        contact_roles=list(selectors.opportunity_contact_roles(opportunity=opportunity)),
        line_item_form=LineItemForm(),
        contact_role_form=ContactRoleForm(account=opportunity.account),
    )
    return render(request, "sales/opportunity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request):
    return _form_page(request, OPPORTUNITY, link_kwargs={"account": _account_param(request)})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request, pk: int):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.user), pk=pk)
    _editable_or_403(opportunity, request.user)
    return _form_page(request, OPPORTUNITY, record=opportunity)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_inline_edit(request, pk: int, field: str):
    return _inline_edit(request, OPPORTUNITY, pk, field)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_delete(request, pk: int):
    return _delete_page(request, OPPORTUNITY, pk)


@login_required
@require_POST
def opportunity_stage(request, pk: int):
    """Mark a stage of the path as the current one."""
    opportunity = _editable_opportunity(request, pk)
    try:
        opportunity = services.opportunity_update(
            opportunity=opportunity, data={"stage": request.POST.get("stage", "")}, acting_user=request.user
        )
        labels = picklist_labels(object_name=OPPORTUNITY).get("stage", {})
        messages.success(
            request, _("Stage changed to %(get)s.") % {"get": labels.get(opportunity.stage, opportunity.stage)}
        )
    except ValidationError as exc:
        _errors_message(request, exc)
    return redirect(_url(OPPORTUNITY, "detail", pk))
