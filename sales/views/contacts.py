"""Contact pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from core.selectors import picklist_labels

from .. import selectors
from ..fields import CONTACT, OPPORTUNITY
from .common import _account_param, _editable_or_403
from .record_forms import _form_page, _inline_edit
from .records import _delete_page, _detail_context, _list_view


@login_required
def contact_list(request):
    return _list_view(request, CONTACT)


@login_required
def contact_detail(request, pk: int):
    contact = get_object_or_404(selectors.contacts_visible_to(request.user), pk=pk)
    context = _detail_context(request, contact, CONTACT)
    stage_labels = picklist_labels(object_name=OPPORTUNITY).get("stage", {})
    context["roles"] = [
        (role, stage_labels.get(role.opportunity.stage, role.opportunity.stage))
        for role in selectors.contact_opportunity_roles(contact=contact)[:50]
    ]
    return render(request, "sales/contact_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request):
    return _form_page(request, CONTACT, link_kwargs={"account": _account_param(request)})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk: int):
    contact = get_object_or_404(selectors.contacts_visible_to(request.user), pk=pk)
    _editable_or_403(contact, request.user)
    return _form_page(request, CONTACT, record=contact)


@login_required
@require_http_methods(["GET", "POST"])
def contact_inline_edit(request, pk: int, field: str):
    return _inline_edit(request, CONTACT, pk, field)


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request, pk: int):
    return _delete_page(request, CONTACT, pk)
