"""Django admin for support staff: read the sales records; writes belong to the app's own pages,
which run the services (validation, history, versions)."""

from django.contrib import admin

from .models import Account, Contact, Opportunity, OpportunityContactRole, OpportunityLineItem, Product, RecordType


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineItemInline(admin.TabularInline):
    model = OpportunityLineItem
    extra = 0
    can_delete = False
    readonly_fields = ["product", "quantity", "unit_price", "total_price"]


class ContactRoleInline(admin.TabularInline):
    model = OpportunityContactRole
    extra = 0
    can_delete = False
    readonly_fields = ["contact", "role", "is_primary"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["name", "type", "industry", "owner", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "website_domain"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "account", "email", "owner"]
    list_select_related = ["owner", "account"]
    search_fields = ["last_name", "email"]


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyAdmin):
    list_display = ["name", "account", "stage", "amount", "close_date", "owner"]
    list_select_related = ["owner", "account"]
    search_fields = ["name"]
    inlines = [LineItemInline, ContactRoleInline]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "product_code", "list_price", "is_active"]
    search_fields = ["name", "product_code"]


@admin.register(RecordType)
class RecordTypeAdmin(ReadOnlyAdmin):
    list_display = ["name", "object_name", "is_active"]
