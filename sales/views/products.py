"""The product catalogue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import apply_service_errors
from core.paging import page_window
from core.roles import is_marketing_admin, setup_admin_required

from .. import selectors, services
from ..filters import ProductFilter
from ..forms import ProductForm
from ..models import OpportunityLineItem, Product
from .common import PAGE_SIZE


@login_required
def product_list(request):
    filterset = ProductFilter(request.GET or None, queryset=selectors.products(), request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else selectors.products()
    products, page, has_next = page_window(qs, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "sales/product_list.html",
        {
            "filter": filterset,
            "products": products,
            "page": page,
            "has_next": has_next,
            "is_admin": is_marketing_admin(request.user),
            "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
            "ordering": request.GET.get("ordering", ""),
        },
    )


@login_required
def product_detail(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    items = (
        OpportunityLineItem.objects.filter(product=product)
        .select_related("opportunity", "opportunity__account")
        .order_by("-opportunity__close_date", "-id")[:50]
    )
    return render(
        request,
        "sales/product_detail.html",
        {"product": product, "items": items, "is_admin": is_marketing_admin(request.user)},
    )


def _product_form_page(request, product: Product | None):
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if product is None:
                product = services.product_create(data=data, acting_user=request.user)
                messages.success(request, _("Product “%(name)s” was created.") % {"name": product.name})
            else:
                product = services.product_update(product=product, data=data, acting_user=request.user)
                messages.success(request, _("Product “%(name)s” was saved.") % {"name": product.name})
            return redirect("sales:product_detail", product.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "sales/product_form.html",
        {"form": form, "product": product},
        status=400 if request.method == "POST" else 200,
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def product_create(request):
    return _product_form_page(request, None)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    return _product_form_page(request, get_object_or_404(Product, pk=pk))
