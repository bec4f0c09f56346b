"""Pages of accounts, contacts, opportunities, the product catalogue and record types.

Views are thin: permission -> form -> service -> message + redirect. Reads come from the
user-scoped selectors; editing someone else's record is a 403.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.fields import custom_definitions, display_value
from core.forms import apply_service_errors, errors_as_text
from core.history import history_for
from core.paging import page_window
from core.roles import is_marketing_admin
from core.selectors import field_labels, picklist_labels

from . import selectors, services
from .fields import ACCOUNT, CONTACT, OPPORTUNITY, PICKLIST_FIELDS, SECTIONS, STANDARD_FIELDS
from .filters import AccountFilter, ContactFilter, OpportunityFilter, ProductFilter
from .forms import (
    ContactRoleForm,
    LineItemEditForm,
    LineItemForm,
    ProductForm,
    RecordForm,
    RecordTypeChoiceForm,
    RecordTypeDefaultForm,
    RecordTypeForm,
)
from .models import (
    Account,
    Contact,
    Opportunity,
    OpportunityContactRole,
    OpportunityLineItem,
    Product,
    RecordType,
    RecordTypeDefault,
)

PAGE_SIZE = 50


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_marketing_admin(request.user):
            raise PermissionDenied("Only marketing and system admins may change the setup.")
        return view(request, *args, **kwargs)

    return wrapped


# Object configuration ----------------------------------------------------------------------------

OBJECTS = {
    ACCOUNT: {
        "label": "Account",
        "plural": "Accounts",
        "icon": "building",
        "model": Account,
        "visible": selectors.accounts_visible_to,
        "filter": AccountFilter,
        "columns": [
            ("name", "Account Name"),
            ("type", "Type"),
            ("industry", "Industry"),
            ("phone", "Phone"),
            ("billing_city", "Billing City"),
            ("owner", "Account Owner"),
        ],
        "highlights": ["type", "phone", "website", "industry", "owner"],
    },
    CONTACT: {
        "label": "Contact",
        "plural": "Contacts",
        "icon": "person-vcard",
        "model": Contact,
        "visible": selectors.contacts_visible_to,
        "filter": ContactFilter,
        "columns": [
            ("name", "Name"),
            ("account", "Account Name"),
            ("title", "Title"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("owner", "Contact Owner"),
        ],
        "highlights": ["title", "account", "phone", "email", "owner"],
    },
    OPPORTUNITY: {
        "label": "Opportunity",
        "plural": "Opportunities",
        "icon": "trophy",
        "model": Opportunity,
        "visible": selectors.opportunities_visible_to,
        "filter": OpportunityFilter,
        "columns": [
            ("name", "Opportunity Name"),
            ("account", "Account Name"),
            ("stage", "Stage"),
            ("amount", "Amount"),
            ("close_date", "Close Date"),
            ("owner", "Opportunity Owner"),
        ],
        "highlights": ["account", "close_date", "amount", "probability", "owner"],
    },
}


def _url(object_name: str, page: str, *args) -> str:
    return reverse(f"sales:{object_name}_{page}", args=args)


def _cell(record, object_name: str, name: str, labels: dict):
    """Display form of a standard field (picklists by label; escaping is the template's job)."""
    if name == "owner":
        return record.owner_name
    if name == "account":
        return record.account.name if getattr(record, "account_id", None) else ""
    if name == "record_type":
        return record.record_type.name if record.record_type_id else "Master"
    if name == "name" and object_name == CONTACT:
        return record.name
    value = getattr(record, name)
    if name in PICKLIST_FIELDS[object_name]:
        return labels.get(name, {}).get(value, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return ""
    if name in {"amount", "annual_revenue"}:
        return f"{value:,.2f}"
    if name == "probability":
        return f"{value}%"
    return value


def _link_of(record, name: str) -> str | None:
    if name == "account" and getattr(record, "account_id", None):
        return _url(ACCOUNT, "detail", record.account_id)
    return None


# List views ------------------------------------------------------------------------------------


def _list_view(request: HttpRequest, object_name: str) -> HttpResponse:
    config = OBJECTS[object_name]
    qs = config["visible"](request.user)
    filterset = config["filter"](request.GET or None, queryset=qs, request=request)
    rows_qs = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
    if not request.GET.get("ordering"):
        default = {"account": "name", "contact": "last_name", "opportunity": "close_date"}[object_name]
        rows_qs = rows_qs.order_by(default, "id")
    records, page, has_next = page_window(rows_qs, request.GET.get("page"), PAGE_SIZE)
    offset = (page - 1) * PAGE_SIZE
    labels = picklist_labels(object_name=object_name)
    rows = [
        (record, [(_cell(record, object_name, name, labels), _link_of(record, name)) for name, _ in config["columns"]])
        for record in records
    ]
    is_filtered = any(v for k, v in request.GET.items() if k not in {"page", "ordering"})
    return render(
        request,
        "sales/record_list.html",
        {
            "object_name": object_name,
            "config": config,
            "filter": filterset,
            "rows": rows,
            "columns": [
                {"key": key, "label": label, "sortable": key in filterset.filters["ordering"].param_map}
                for key, label in config["columns"]
            ],
            "ordering": request.GET.get("ordering", ""),
            "page": page,
            "has_next": has_next,
            "first_index": offset + 1,
            "last_index": offset + len(records),
            "is_filtered": is_filtered,
            "create_url": _url(object_name, "create"),
        },
    )


@login_required
def account_list(request):
    return _list_view(request, ACCOUNT)


@login_required
def contact_list(request):
    return _list_view(request, CONTACT)


@login_required
def opportunity_list(request):
    return _list_view(request, OPPORTUNITY)


# Record pages ----------------------------------------------------------------------------------


def _inline_editable(record, object_name: str, name: str) -> bool:
    if name == "record_type":
        return False  # changing it re-decides every picklist: the edit page does that
    # While the opportunity has products its amount is their sum.
    return not (name == "amount" and record.line_items.exists())


def _sections(record, object_name: str, *, editable: bool = False) -> list[tuple[str, list[dict]]]:
    labels = picklist_labels(object_name=object_name)
    field_meta = field_labels(object_name=object_name)
    sections = []
    for key, title in SECTIONS[object_name]:
        rows = []
        for api_name, label, _type, _req, section, help_text in STANDARD_FIELDS[object_name]:
            if section != key:
                continue
            rows.append(
                {
                    "name": api_name,
                    "label": field_meta.get(api_name, label),
                    "value": _cell(record, object_name, api_name, labels),
                    "link": _link_of(record, api_name),
                    "help": help_text,
                    "inline": editable and _inline_editable(record, object_name, api_name),
                }
            )
        sections.append((title, rows))
    custom = [
        {
            "name": d.api_name,
            "label": d.label,
            "value": display_value(d, (record.custom_fields or {}).get(d.api_name)),
            "link": None,
            "help": d.help_text,
            "inline": editable,
        }
        for d in custom_definitions(object_name)
    ]
    if custom:
        sections.append(("Custom Fields", custom))
    return sections


def _field_row(record, object_name: str, name: str) -> dict | None:
    for _title, rows in _sections(record, object_name, editable=True):
        for row in rows:
            if row["name"] == name:
                return row
    return None


def _system_info(record) -> list[tuple[str, str]]:
    def who(user):
        return (user.get_full_name() or user.username) if user else ""

    return [
        ("Created By", f"{who(record.created_by)}, {record.created_at:%Y-%m-%d %H:%M}"),
        ("Last Modified By", f"{who(record.last_modified_by)}, {record.last_modified_at:%Y-%m-%d %H:%M}"),
    ]


def _detail_context(request, record, object_name: str) -> dict:
    config = OBJECTS[object_name]
    labels = picklist_labels(object_name=object_name)
    field_meta = field_labels(object_name=object_name)
    return {
        "object_name": object_name,
        "config": config,
        "record": record,
        "can_edit": selectors.record_is_editable_by(record, request.user),
        "highlights": [
            {
                "label": field_meta.get(name, name),
                "value": _cell(record, object_name, name, labels),
                "link": _link_of(record, name),
            }
            for name in config["highlights"]
        ],
        "sections": _sections(record, object_name, editable=selectors.record_is_editable_by(record, request.user)),
        "system_info": _system_info(record),
        "history": list(history_for(object_name=object_name, record_id=record.pk)[:50]),
        "edit_url": _url(object_name, "edit", record.pk),
        "can_delete": selectors.record_is_deletable_by(record, request.user),
        "delete_url": _url(object_name, "delete", record.pk),
    }


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
def contact_detail(request, pk: int):
    contact = get_object_or_404(selectors.contacts_visible_to(request.user), pk=pk)
    context = _detail_context(request, contact, CONTACT)
    stage_labels = picklist_labels(object_name=OPPORTUNITY).get("stage", {})
    context["roles"] = [
        (role, stage_labels.get(role.opportunity.stage, role.opportunity.stage))
        for role in selectors.contact_opportunity_roles(contact=contact)[:50]
    ]
    return render(request, "sales/contact_detail.html", context)


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


# Create and edit -------------------------------------------------------------------------------


def _record_type_from(request, object_name: str, fallback):
    """The record type named in ``?record_type=`` (or the POST), else ``fallback``."""
    raw = request.POST.get("record_type", request.GET.get("record_type"))
    if raw is None:
        return fallback
    if raw == "":
        return None
    if fallback is not None and raw == str(fallback.pk):
        return fallback  # kept even when it was deactivated meanwhile
    return selectors.record_types_for(object_name=object_name).filter(pk=raw if raw.isdigit() else 0).first()


def _form_page(request, object_name: str, *, record=None, link_kwargs: dict | None = None) -> HttpResponse:
    config = OBJECTS[object_name]
    creating = record is None
    if creating:
        fallback = selectors.record_type_default_for(user=request.user, object_name=object_name)
    else:
        fallback = record.record_type
    record_type = _record_type_from(request, object_name, fallback)
    record_type_form = RecordTypeChoiceForm(
        initial={"record_type": record_type.pk if record_type else None},
        object_name=object_name,
        allow_master=fallback is None,
    )
    data = request.POST if request.method == "POST" else None
    initial = {}
    if creating:
        initial["owner"] = request.user.pk
        for key, value in (link_kwargs or {}).items():
            if value is not None:
                initial[key] = value.pk
    form = RecordForm(
        data,
        object_name=object_name,
        model=config["model"],
        instance=record,
        record_type=record_type,
        creating=creating,
        initial=initial,
    )
    has_products = object_name == OPPORTUNITY and record is not None and record.line_items.exists()
    if has_products:
        form.fields["amount"].disabled = True
        form.fields["amount"].help_text = "The sum of the opportunity's products; change the products to change it."
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if object_name == OPPORTUNITY and not creating and "probability" not in form.changed_data:
            # A new stage brings its own probability unless the user typed one.
            data.pop("probability", None)
        links = {}
        if object_name in (CONTACT, OPPORTUNITY):
            links["account"] = form.cleaned_data.get("account")
        try:
            if creating:
                create = {
                    ACCOUNT: services.account_create,
                    CONTACT: services.contact_create,
                    OPPORTUNITY: services.opportunity_create,
                }[object_name]
                record = create(
                    data=data,
                    acting_user=request.user,
                    owner=form.cleaned_data["owner"],
                    custom_fields=form.custom_data(),
                    record_type=record_type,
                    **links,
                )
                messages.success(request, f"{config['label']} “{record}” was created.")
            else:
                update = {
                    ACCOUNT: services.account_update,
                    CONTACT: services.contact_update,
                    OPPORTUNITY: services.opportunity_update,
                }[object_name]
                record = update(
                    **{object_name: record},
                    data=data,
                    acting_user=request.user,
                    owner=form.cleaned_data["owner"],
                    custom_fields=form.custom_data(),
                    record_type=record_type,
                    expected_version=_int(request.POST.get("version")),
                    **links,
                )
                messages.success(request, f"{config['label']} “{record}” was saved.")
            if "save_new" in request.POST:
                return redirect(_url(object_name, "create"))
            return redirect(_url(object_name, "detail", record.pk))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except services.RecordEditConflict as exc:
            names = ", ".join(sorted({c.field_label for c in exc.changes})) or "some fields"
            form.add_error(
                None,
                f"Someone else saved this {config['label'].lower()} while you were editing it ({names}). "
                "Reload the page to see their changes, then make yours again.",
            )
    cancel = _url(object_name, "detail", record.pk) if record is not None else _url(object_name, "list")
    return render(
        request,
        "sales/record_form.html",
        {
            "object_name": object_name,
            "config": config,
            "record": record,
            "form": form,
            "record_type": record_type,
            "record_type_form": record_type_form,
            "has_record_types": selectors.record_types_for(object_name=object_name).exists(),
            "cancel_url": cancel,
        },
        status=400 if request.method == "POST" else 200,
    )


def _int(raw) -> int | None:
    return int(raw) if raw and str(raw).isdigit() else None


def _editable_or_403(record, user) -> None:
    if not selectors.record_is_editable_by(record, user):
        raise PermissionDenied("Only the owner and admins may edit this record.")


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


def _account_param(request):
    raw = request.GET.get("account", "")
    return selectors.accounts_visible_to(request.user).filter(pk=raw).first() if raw.isdigit() else None


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
def opportunity_create(request):
    return _form_page(request, OPPORTUNITY, link_kwargs={"account": _account_param(request)})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request, pk: int):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.user), pk=pk)
    _editable_or_403(opportunity, request.user)
    return _form_page(request, OPPORTUNITY, record=opportunity)


# Inline edit -----------------------------------------------------------------------------------

_GETTERS = {
    ACCOUNT: selectors.accounts_visible_to,
    CONTACT: selectors.contacts_visible_to,
    OPPORTUNITY: selectors.opportunities_visible_to,
}
_UPDATES = {
    ACCOUNT: services.account_update,
    CONTACT: services.contact_update,
    OPPORTUNITY: services.opportunity_update,
}


def _inline_edit(request, object_name: str, pk: int, field: str) -> HttpResponse:
    """Edit one field of the record page in place (htmx); Escape or Cancel puts the value back."""
    config = OBJECTS[object_name]
    record = get_object_or_404(_GETTERS[object_name](request.user), pk=pk)
    _editable_or_403(record, request.user)
    edit_page = _url(object_name, "edit", pk) + f"#id_{field}"
    if not request.htmx and request.method == "GET":
        return redirect(edit_page)
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        object_name=object_name,
        model=config["model"],
        instance=record,
        record_type=record.record_type,
        creating=False,
    )
    if field not in form.fields or not _inline_editable(record, object_name, field):
        raise Http404("This field cannot be edited here.")
    if request.method == "GET" and request.GET.get("cancel"):
        row = _field_row(record, object_name, field)
        return render(
            request, "sales/includes/field_row.html", {"row": row, "object_name": object_name, "record": record}
        )
    kept = form.fields[field]
    kept.widget.attrs["autofocus"] = True
    form.fields = {field: kept}
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data[field]
        kwargs = {"data": {}, "custom_fields": None}
        if field == "owner":
            kwargs["owner"] = value
        elif field == "account":
            kwargs["account"] = value
        elif field in form.custom_names:
            kwargs["custom_fields"] = {field: value}
        else:
            kwargs["data"] = {field: value}
        try:
            _UPDATES[object_name](
                **{object_name: record},
                acting_user=request.user,
                expected_version=_int(request.POST.get("version")),
                **kwargs,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except services.RecordEditConflict:
            form.add_error(
                None,
                f"Someone else saved this {config['label'].lower()} after you opened it; nothing was saved. "
                "Reload the page to see their changes.",
            )
        else:
            messages.success(request, f"{config['label']} “{record}” was saved.")
            if not request.htmx:
                return redirect(_url(object_name, "detail", pk))
            response = HttpResponse(status=204)
            # The highlights, path and history change too: show the whole page again.
            response["HX-Redirect"] = _url(object_name, "detail", pk)
            return response
    if not request.htmx:
        # Submitted without htmx (no script, or before the page had bound it): say what was wrong
        # and open the full edit form on that field.
        messages.error(request, f"Nothing was saved. {errors_as_text(form)}")
        return redirect(edit_page)
    return render(
        request,
        "sales/includes/inline_form.html",
        {"form": form, "field": field, "bound": form[field], "record": record, "object_name": object_name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_inline_edit(request, pk: int, field: str):
    return _inline_edit(request, ACCOUNT, pk, field)


@login_required
@require_http_methods(["GET", "POST"])
def contact_inline_edit(request, pk: int, field: str):
    return _inline_edit(request, CONTACT, pk, field)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_inline_edit(request, pk: int, field: str):
    return _inline_edit(request, OPPORTUNITY, pk, field)


# Opportunity actions ---------------------------------------------------------------------------


def _editable_opportunity(request, pk: int) -> Opportunity:
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.user), pk=pk)
    _editable_or_403(opportunity, request.user)
    return opportunity


def _errors_message(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


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
        messages.success(request, f"Stage changed to {labels.get(opportunity.stage, opportunity.stage)}.")
    except ValidationError as exc:
        _errors_message(request, exc)
    return redirect(_url(OPPORTUNITY, "detail", pk))


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
            messages.success(request, f"{item.product.name} was added.")
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
            messages.success(request, f"{item.product.name} was saved.")
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
    messages.success(request, f"{item.product.name} was removed.")
    return redirect(_url(OPPORTUNITY, "detail", pk) + "#products")


@login_required
@require_POST
def opportunity_contact_role_add(request, pk: int):
    opportunity = _editable_opportunity(request, pk)
    form = ContactRoleForm(request.POST, account=opportunity.account)
    if form.is_valid():
        try:
            role = services.opportunity_contact_role_add(
                opportunity=opportunity,
                contact=form.cleaned_data["contact"],
                role=form.cleaned_data["role"],
                is_primary=form.cleaned_data["is_primary"],
                acting_user=request.user,
            )
            messages.success(request, f"{role.contact.full_name} was added to the contact roles.")
        except ValidationError as exc:
            _errors_message(request, exc)
    else:
        messages.error(
            request, "The contact role was not added: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect(_url(OPPORTUNITY, "detail", pk) + "#contact-roles")


@login_required
@require_POST
def opportunity_contact_role_remove(request, pk: int, role_pk: int):
    opportunity = _editable_opportunity(request, pk)
    role = get_object_or_404(
        OpportunityContactRole.objects.select_related("contact"), pk=role_pk, opportunity=opportunity
    )
    services.opportunity_contact_role_remove(contact_role=role, acting_user=request.user)
    messages.success(request, f"{role.contact.full_name} was removed from the contact roles.")
    return redirect(_url(OPPORTUNITY, "detail", pk) + "#contact-roles")


# Products --------------------------------------------------------------------------------------


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
                messages.success(request, f"Product “{product.name}” was created.")
            else:
                product = services.product_update(product=product, data=data, acting_user=request.user)
                messages.success(request, f"Product “{product.name}” was saved.")
            return redirect("sales:product_detail", product.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "sales/product_form.html",
        {"form": form, "product": product},
        status=400 if request.method == "POST" else 200,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def product_create(request):
    return _product_form_page(request, None)


@admin_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    return _product_form_page(request, get_object_or_404(Product, pk=pk))


# Record types ----------------------------------------------------------------------------------


@admin_required
def recordtype_list(request):
    record_types = list(selectors.record_type_list())
    defaults = list(
        RecordTypeDefault.objects.select_related("record_type", "user", "group").order_by(
            "object_name", "group__name", "user__username"
        )
    )
    groups = {key: [] for key in OBJECTS}
    for record_type in record_types:
        groups[record_type.object_name].append(record_type)
    return render(
        request,
        "sales/recordtype_list.html",
        {
            "groups": [(OBJECTS[key]["label"], key, groups[key]) for key in OBJECTS],
            "defaults": defaults,
            "default_form": RecordTypeDefaultForm(),
        },
    )


@admin_required
def recordtype_detail(request, pk: int):
    record_type = get_object_or_404(selectors.record_type_list(), pk=pk)
    field_names = field_labels(object_name=record_type.object_name)
    offered = []
    for field_name in selectors.record_type_picklist_fields(record_type.object_name):
        values = selectors.allowed_picklist_values(
            object_name=record_type.object_name, field_name=field_name, record_type=record_type
        )
        restricted = record_type.picklist_values.filter(field_name=field_name).exists()
        offered.append((field_names.get(field_name, field_name), values, restricted))
    return render(
        request,
        "sales/recordtype_detail.html",
        {"record_type": record_type, "offered": offered, "object_label": OBJECTS[record_type.object_name]["label"]},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def recordtype_create(request):
    object_name = request.POST.get("object_name", request.GET.get("object", OPPORTUNITY))
    if object_name not in OBJECTS:
        object_name = OPPORTUNITY
    form = RecordTypeForm(request.POST or None, object_name=object_name)
    if request.method == "POST" and form.is_valid():
        try:
            record_type = services.record_type_create(
                object_name=object_name,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                is_active=form.cleaned_data["is_active"],
                picklist_values=form.picklist_values(),
                acting_user=request.user,
            )
            messages.success(request, f"Record type “{record_type.name}” was created.")
            return redirect("sales:recordtype_detail", record_type.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "sales/recordtype_form.html",
        {"form": form, "object_name": object_name, "object_label": OBJECTS[object_name]["label"], "objects": OBJECTS},
        status=400 if request.method == "POST" else 200,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def recordtype_edit(request, pk: int):
    record_type = get_object_or_404(RecordType, pk=pk)
    form = RecordTypeForm(request.POST or None, object_name=record_type.object_name, record_type=record_type)
    if request.method == "POST" and form.is_valid():
        try:
            record_type = services.record_type_update(
                record_type=record_type,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                is_active=form.cleaned_data["is_active"],
                picklist_values=form.picklist_values(),
                acting_user=request.user,
            )
            messages.success(request, f"Record type “{record_type.name}” was saved.")
            return redirect("sales:recordtype_detail", record_type.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "sales/recordtype_form.html",
        {
            "form": form,
            "record_type": record_type,
            "object_name": record_type.object_name,
            "object_label": OBJECTS[record_type.object_name]["label"],
        },
        status=400 if request.method == "POST" else 200,
    )


@admin_required
@require_POST
def recordtype_default_set(request):
    form = RecordTypeDefaultForm(request.POST)
    if form.is_valid():
        record_type = form.cleaned_data["record_type"]
        try:
            services.record_type_default_set(
                object_name=form.cleaned_data["object_name"],
                record_type=record_type,
                user=form.cleaned_data["user"],
                group=form.cleaned_data["role"],
                acting_user=request.user,
            )
            who = form.cleaned_data["user"] or form.cleaned_data["role"]
            who = who.get_full_name() or who.username if isinstance(who, get_user_model()) else who.name
            if record_type is None:
                messages.success(request, f"The default record type of {who} was cleared.")
            else:
                messages.success(request, f"{record_type.name} is now the default record type of {who}.")
        except ValidationError as exc:
            _errors_message(request, exc)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("sales:recordtype_list") + "#defaults")


# Delete ------------------------------------------------------------------------------------------

_DELETES = {
    ACCOUNT: services.account_delete,
    CONTACT: services.contact_delete,
    OPPORTUNITY: services.opportunity_delete,
}


def _delete_page(request, object_name: str, pk: int) -> HttpResponse:
    """Ask, then move the record to the Recycle Bin."""
    config = OBJECTS[object_name]
    record = get_object_or_404(_GETTERS[object_name](request.user), pk=pk)
    if not selectors.record_is_deletable_by(record, request.user):
        raise PermissionDenied(f"You may not delete this {config['label'].lower()}.")
    if request.method == "POST":
        try:
            _DELETES[object_name](**{object_name: record}, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_url(object_name, "detail", pk))
        messages.success(request, f"{config['label']} “{record}” was moved to the Recycle Bin.")
        return redirect(_url(object_name, "list"))
    context = {
        "object_name": object_name,
        "config": config,
        "record": record,
        "days": settings.RECYCLE_BIN_DAYS,
        "blocked_by": record.opportunities.count() if object_name == ACCOUNT else 0,
    }
    return render(request, "sales/record_delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request, pk: int):
    return _delete_page(request, ACCOUNT, pk)


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request, pk: int):
    return _delete_page(request, CONTACT, pk)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_delete(request, pk: int):
    return _delete_page(request, OPPORTUNITY, pk)
