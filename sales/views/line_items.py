"""The products of an opportunity."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors

from .. import services
from ..fields import OPPORTUNITY
from ..forms import LineItemEditForm, LineItemForm
from ..models import OpportunityLineItem
from .common import _editable_opportunity, _errors_message, _url


@login_required
@require_POST
def opportunity_product_add(request, pk: int):
    opportunity = _editable_opportunity(request, pk)
    form = LineItemForm(request.POST)
    if form.is_valid():
        try:
            item = services.opportunity_line_item_add(
                opportunity=opportunity,
                product=form.cleaned_data["product"],
                quantity=form.cleaned_data["quantity"],
                unit_price=form.cleaned_data["unit_price"],
                acting_user=request.user,
            )
            messages.success(request, _("%(name)s was added.") % {"name": item.product.name})
        except ValidationError as exc:
            _errors_message(request, exc)
    else:
        messages.error(
            request, "The product was not added: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect(_url(OPPORTUNITY, "detail", pk) + "#products")


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_product_edit(request, pk: int, item_pk: int):
    opportunity = _editable_opportunity(request, pk)
    item = get_object_or_404(OpportunityLineItem.objects.select_related("product"), pk=item_pk, opportunity=opportunity)
    form = LineItemEditForm(request.POST or None, initial={"quantity": item.quantity, "unit_price": item.unit_price})
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_line_item_update(
                line_item=item,
                quantity=form.cleaned_data["quantity"],
                unit_price=form.cleaned_data["unit_price"],
                acting_user=request.user,
            )
            messages.success(request, _("%(name)s was saved.") % {"name": item.product.name})
            return redirect(_url(OPPORTUNITY, "detail", pk) + "#products")
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "sales/line_item_form.html",
        {"opportunity": opportunity, "item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def opportunity_product_remove(request, pk: int, item_pk: int):
    opportunity = _editable_opportunity(request, pk)
    item = get_object_or_404(OpportunityLineItem.objects.select_related("product"), pk=item_pk, opportunity=opportunity)
    services.opportunity_line_item_remove(line_item=item, acting_user=request.user)
    messages.success(request, _("%(name)s was removed.") % {"name": item.product.name})
    return redirect(_url(OPPORTUNITY, "detail", pk) + "#products")
