"""The FilterSets of accounts, contacts and opportunities, shared by the HTML list views and the API.

The search is a prefix match (``istartswith``) served by the ``UPPER(col::text) text_pattern_ops``
indexes of migration 0003; sorting is whitelisted and always ends with the primary key so that
paging is stable.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy

from core.selectors import picklist_values

from .fields import ACCOUNT, CONTACT, OPPORTUNITY
from .models import Account, Contact, Opportunity, Product


def _choices(object_name: str, field_name: str):
    def choices():
        # Inactive values stay filterable: old records still hold them.
        return [
            (v.api_name, v.label if v.is_active else f"{v.label} (inactive)")
            for v in picklist_values(object_name=object_name, field_name=field_name)
        ]

    return choices


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class StableOrderingFilter(django_filters.OrderingFilter):
    """Whitelisted columns, nulls last, the primary key breaking ties."""

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        expressions = []
        for param in value:
            descending = param.startswith("-")
            key = param.lstrip("-")
            column = self.param_map.get(key)
            if column is None:
                continue
            expressions.append(F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True))
        if not expressions:
            return qs
        return qs.order_by(*expressions, "-id" if value[-1].startswith("-") else "id")


class _SalesFilter(django_filters.FilterSet):
    owner = django_filters.ModelChoiceFilter(queryset=lambda request: _users(), label=gettext_lazy("Owner"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=gettext_lazy("My records only"))

    search_fields: tuple[str, ...] = ()

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        cond = Q()
        for field in self.search_fields:
            cond |= Q(**{f"{field}__istartswith": value})
        return qs.filter(cond)

    def filter_mine(self, qs: QuerySet, name: str, value) -> QuerySet:
        user = getattr(self.request, "user", None)
        if value and user is not None and user.is_authenticated:
            return qs.filter(owner=user)
        return qs

    @property
    def active_filter_count(self) -> int:
        data = self.form.cleaned_data if self.form.is_bound and self.form.is_valid() else {}
        return sum(1 for k, v in data.items() if k not in {"q", "ordering"} and v not in (None, "", [], False))


class AccountFilter(_SalesFilter):
    q = django_filters.CharFilter(method="filter_q", label=gettext_lazy("Search"))
    type = django_filters.MultipleChoiceFilter(choices=_choices(ACCOUNT, "type"), label=gettext_lazy("Type"))
    industry = django_filters.MultipleChoiceFilter(
        choices=_choices(ACCOUNT, "industry"), label=gettext_lazy("Industry")
    )
    rating = django_filters.MultipleChoiceFilter(choices=_choices(ACCOUNT, "rating"), label=gettext_lazy("Rating"))
    billing_country = django_filters.CharFilter(lookup_expr="iexact", label=gettext_lazy("Billing Country"))
    ordering = StableOrderingFilter(
        fields={
            "name": "name",
            "type": "type",
            "industry": "industry",
            "rating": "rating",
            "phone": "phone",
            "billing_city": "billing_city",
            "owner__username": "owner",
            "created_at": "created_at",
        }
    )
    search_fields = ("name", "website_domain", "phone")

    class Meta:
        model = Account
        fields = ["q", "owner", "mine", "type", "industry", "rating", "billing_country"]


class ContactFilter(_SalesFilter):
    q = django_filters.CharFilter(method="filter_q", label=gettext_lazy("Search"))
    account = django_filters.NumberFilter(field_name="account_id", label=gettext_lazy("Account ID"))
    lead_source = django_filters.MultipleChoiceFilter(
        choices=_choices(CONTACT, "lead_source"), label=gettext_lazy("Lead Source")
    )
    email_opt_out = django_filters.BooleanFilter(label=gettext_lazy("Email Opt Out"))
    ordering = StableOrderingFilter(
        fields={
            "last_name": "name",
            "account__name": "account",
            "title": "title",
            "email": "email",
            "phone": "phone",
            "owner__username": "owner",
            "created_at": "created_at",
        }
    )
    search_fields = ("last_name", "first_name", "email", "account__name")

    class Meta:
        model = Contact
        fields = ["q", "owner", "mine", "account", "lead_source", "email_opt_out"]


class OpportunityFilter(_SalesFilter):
    q = django_filters.CharFilter(method="filter_q", label=gettext_lazy("Search"))
    account = django_filters.NumberFilter(field_name="account_id", label=gettext_lazy("Account ID"))
    stage = django_filters.MultipleChoiceFilter(choices=_choices(OPPORTUNITY, "stage"), label=gettext_lazy("Stage"))
    open = django_filters.BooleanFilter(method="filter_open", label=gettext_lazy("Open only"))
    close_date_after = django_filters.DateFilter(
        field_name="close_date", lookup_expr="gte", label=gettext_lazy("Closes on or after")
    )
    close_date_before = django_filters.DateFilter(
        field_name="close_date", lookup_expr="lte", label=gettext_lazy("Closes on or before")
    )
    ordering = StableOrderingFilter(
        fields={
            "name": "name",
            "account__name": "account",
            "stage": "stage",
            "amount": "amount",
            "probability": "probability",
            "close_date": "close_date",
            "owner__username": "owner",
            "created_at": "created_at",
        }
    )
    search_fields = ("name", "account__name")

    class Meta:
        model = Opportunity
        fields = ["q", "owner", "mine", "account", "stage", "open", "close_date_after", "close_date_before"]

    def filter_open(self, qs: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return qs
        closed = picklist_values(object_name=OPPORTUNITY, field_name="stage").filter(is_closed=True).values("api_name")
        return qs.exclude(stage__in=closed) if value else qs.filter(stage__in=closed)


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=gettext_lazy("Search"))
    is_active = django_filters.BooleanFilter(label=gettext_lazy("Active"))
    ordering = StableOrderingFilter(
        fields={"name": "name", "product_code": "product_code", "list_price": "list_price", "is_active": "is_active"}
    )

    class Meta:
        model = Product
        fields = ["q", "is_active"]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(Q(name__istartswith=value) | Q(product_code__istartswith=value))
