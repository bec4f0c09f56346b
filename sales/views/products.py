"""The product catalogue."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.form_pages import service_form_page
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

    def save() -> Product:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if product is None:
            return services.product_create(data=data, acting_user=request.user)
        return services.product_update(product=product, data=data, acting_user=request.user)

    done = _("Product “%(name)s” was created.") if product is None else _("Product “%(name)s” was saved.")
    return service_form_page(
        request,
        form,
        save=save,
        saved_message=lambda saved: done % {"name": saved.name},
        saved_url=lambda saved: reverse("sales:product_detail", args=[saved.pk]),
        template="sales/product_form.html",
        context={"product": product},
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def product_create(request):
    return _product_form_page(request, None)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    return _product_form_page(request, get_object_or_404(Product, pk=pk))
