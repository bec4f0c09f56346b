"""Account pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from core.selectors import picklist_labels

from .. import selectors
from ..fields import ACCOUNT, OPPORTUNITY
from .common import _editable_or_403
from .record_forms import _form_page, _inline_edit
from .records import _delete_page, _detail_context, _list_view


@login_required
def account_list(request):
    return _list_view(request, ACCOUNT)


@login_required
def account_detail(request, pk: int):
    account = get_object_or_404(selectors.accounts_visible_to(request.user), pk=pk)
    context = _detail_context(request, account, ACCOUNT)
    stage_labels = picklist_labels(object_name=OPPORTUNITY).get("stage", {})
    context.update(
        contacts=list(selectors.account_contacts(account=account)[:50]),
        opportunities=[
            (opp, stage_labels.get(opp.stage, opp.stage))
            for opp in selectors.account_opportunities(account=account)[:50]
        ],
    )
    return render(request, "sales/account_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request):
    return _form_page(request, ACCOUNT)


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request, pk: int):
    account = get_object_or_404(selectors.accounts_visible_to(request.user), pk=pk)
    _editable_or_403(account, request.user)
    return _form_page(request, ACCOUNT, record=account)


@login_required
def account_duplicates(request):
    """Possible duplicates of the account being typed (htmx partial on the create page)."""
    name = request.GET.get("name", "").strip()[:255]
    website = request.GET.get("website", "").strip()[:255]
    matches = selectors.account_matches(user=request.user, name=name, website=website) if name or website else []
    return render(request, "sales/includes/account_duplicates.html", {"matches": matches[:5]})


@login_required
@require_http_methods(["GET", "POST"])
def account_inline_edit(request, pk: int, field: str):
    return _inline_edit(request, ACCOUNT, pk, field)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request, pk: int):
    return _delete_page(request, ACCOUNT, pk)
