"""The convert page (with its preview), the conversion result page and the mapping setup page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import setup_admin_required
from leads.selectors import can_view_converted, converted_leads_shared_with, lead_is_editable_by, leads_visible_to
from sales import selectors as sales_selectors

from . import selectors
from .forms import NEW, ConvertForm, FieldMappingForm, ProductLineFormSet, product_lines
from .mapping import TARGET_LABELS, MappingContext, display, not_carried_warning, not_carried_warnings
from .models import LeadConversion
from .services import (
    default_opportunity_name,
    default_owner,
    end_of_quarter,
    field_mapping_create,
    field_mapping_delete,
    lead_convert,
    lead_convert_preview,
    opportunity_required,
)


def _lead_for_conversion(request, pk):
    lead = get_object_or_404(
        leads_visible_to(request.user, include_converted=True).select_related("owner_user", "owner_queue"), pk=pk
    )
    if not lead_is_editable_by(lead, request.user):
        raise PermissionDenied(_("You may not convert this lead."))
    return lead


def _selected_account(request, raw: str):
    raw = (raw or "").strip()
    if not raw.isdigit():
        return None
    return sales_selectors.accounts_visible_to(request.user).filter(pk=int(raw)).first()


def _preview_rows(preview) -> list[dict]:
    """Cards for the preview: per object, the fields written (or kept) with notes."""
    ctx, resolved = preview.context, preview.resolved
    cards = []
    for object_name, plan in preview.plans.items():
        existing = {"account": resolved.account, "contact": resolved.contact}.get(object_name)
        rows = []
        for item in plan.fields:
            shown = display(ctx, object_name, item)
            if item.not_carried is not None:
                rows.append(
                    {
                        "label": item.label,
                        "value": shown,
                        "note": item.note,
                        "state": "warning",
                        "warning": not_carried_warning(ctx, object_name, item),
                    }
                )
                continue
            if existing is None:
                if shown == "":
                    continue
                rows.append({"label": item.label, "value": shown, "note": item.note, "state": "new"})
            elif item.writes:
                rows.append(
                    {"label": item.label, "value": shown, "note": item.note or "Fills an empty field", "state": "fill"}
                )
            elif item.current not in (None, "", False) and item.value not in (None, "", False):
                rows.append({"label": item.label, "value": shown, "note": "Keeps its value", "state": "keep"})
        cards.append(
            {
                "object": object_name,
                "label": TARGET_LABELS[object_name],
                "existing": existing,
                "rows": rows,
                "record_type": resolved.record_types.get(object_name),
                "read_only": existing is not None
                and not (resolved.can_edit_account if object_name == "account" else resolved.can_edit_contact),
            }
        )
    return cards


def _context(request, lead, form, formset, *, preview=None):
    raw_account = form.data.get("account", NEW) if form.is_bound else NEW
    suggestions = selectors.account_suggestions(user=request.user, lead=lead)
    selected = _selected_account(request, raw_account)
    if selected is not None and selected.pk not in {a.pk for a in suggestions}:
        suggestions = [selected, *suggestions]
    contacts = selectors.contact_suggestions(user=request.user, lead=lead, account=selected)
    cards = _preview_rows(preview) if preview else []
    return {
        "lead": lead,
        "form": form,
        "formset": formset,
        "account_suggestions": suggestions,
        "selected_account": str(selected.pk) if selected else NEW,
        "contact_suggestions": contacts,
        "selected_contact": (form.data.get("contact", NEW) if form.is_bound else NEW) if selected else NEW,
        "opportunity_required": opportunity_required(),
        "preview": preview,
        "preview_cards": cards,
        "preview_warnings": [row["warning"] for card in cards for row in card["rows"] if row.get("warning")],
        # Before a preview: the lead values new records could not take.
        "mapping_warnings": [] if preview else not_carried_warnings(MappingContext.load(), lead),
    }


@login_required
def convert_view(request, pk):
    lead = _lead_for_conversion(request, pk)
    if lead.is_converted:
        messages.info(request, _("This lead has already been converted."))
        return redirect("conversion:converted", pk=lead.pk)
    part = request.GET.get("part")
    if part == "contacts":
        account = _selected_account(request, request.GET.get("account", ""))
        return render(
            request,
            "conversion/partials/contact_choices.html",
            {
                "lead": lead,
                "contact_suggestions": selectors.contact_suggestions(user=request.user, lead=lead, account=account),
                "selected_account": str(account.pk) if account else NEW,
                "selected_contact": NEW,
            },
        )
    if part == "accounts":
        return render(
            request,
            "conversion/partials/account_search.html",
            {"results": selectors.account_search(user=request.user, q=request.GET.get("q", "")), "lead": lead},
        )
    if request.method == "POST":
        form = ConvertForm(request.POST, lead=lead)
        formset = ProductLineFormSet(request.POST, prefix="products")
        preview = None
        if form.is_valid() and formset.is_valid():
            options = form.options(product_lines(formset))
            try:
                if request.POST.get("action") == "preview":
                    preview = lead_convert_preview(lead=lead, acting_user=request.user, options=options)
                else:
                    conversion = lead_convert(lead=lead, acting_user=request.user, options=options)
                    messages.success(request, _("%(full_name)s was converted.") % {"full_name": lead.full_name})
                    return redirect("conversion:converted", pk=conversion.lead_id)
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionError as exc:
                raise PermissionDenied(str(exc)) from exc
        context = _context(request, lead, form, formset, preview=preview)
        if request.htmx and request.POST.get("action") == "preview":
            return render(request, "conversion/partials/preview.html", context)
        return render(request, "conversion/convert.html", context, status=200)
    owner = default_owner(lead, request.user)
    form = ConvertForm(
        lead=lead,
        initial={
            "account": NEW,
            "contact": NEW,
            "opportunity_name": default_opportunity_name(lead),
            "close_date": end_of_quarter(),
            "owner": owner.pk,
            "stage": "",
        },
    )
    if form.fields["stage"].choices:
        from .services import default_stage

        form.initial["stage"] = default_stage()
    formset = ProductLineFormSet(prefix="products")
    return render(request, "conversion/convert.html", _context(request, lead, form, formset))


@login_required
def converted_view(request, pk):
    """What a conversion produced: shown to the user who converted, to those who open converted
    leads and to those whom sharing let read the lead (an old link to the lead leads here), with
    links to the records each may read."""
    conversion = get_object_or_404(
        LeadConversion.objects.select_related("lead", "account", "contact", "opportunity", "owner", "converted_by"),
        lead_id=pk,
    )
    user = request.user
    if (
        conversion.converted_by_id != user.pk
        and not can_view_converted(user)
        and not converted_leads_shared_with(user).filter(pk=pk).exists()
    ):
        raise Http404(_("No conversion found."))
    readable = {
        "account": conversion.account_id is not None
        and sales_selectors.accounts_visible_to(user).filter(pk=conversion.account_id).exists(),
        "contact": conversion.contact_id is not None
        and sales_selectors.contacts_visible_to(user).filter(pk=conversion.contact_id).exists(),
        "opportunity": conversion.opportunity_id is not None
        and sales_selectors.opportunities_visible_to(user).filter(pk=conversion.opportunity_id).exists(),
    }
    return render(
        request,
        "conversion/converted.html",
        {
            "conversion": conversion,
            "lead": conversion.lead,
            "can_open_lead": can_view_converted(user),
            "readable": readable,
        },
    )


@setup_admin_required
def mapping_view(request):
    form = FieldMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target_object, target_field = form.target_parts()
        try:
            mapping = field_mapping_create(
                lead_field=form.cleaned_data["lead_field"],
                target_object=target_object,
                target_field=target_field,
                acting_user=request.user,
            )
        except ValidationError as exc:
            for key, errs in exc.message_dict.items():
                for message in errs:
                    form.add_error(
                        "lead_field" if key == "lead_field" else "target" if key != "__all__" else None, message
                    )
        else:
            messages.success(
                request,
                _("Mapped %(label)s to %(TARGET_LABELS)s field %(label2)s.")
                % {
                    "label": mapping.lead_field.label,
                    "TARGET_LABELS": TARGET_LABELS[target_object],
                    "label2": mapping.target_field.label,
                },
            )
            return redirect("conversion:mapping")
    return render(
        request,
        "conversion/mapping.html",
        {
            "form": form,
            "standard": selectors.standard_mapping_rows(),
            "mappings": selectors.field_mappings(),
            "compatibility": selectors.compatibility_rows(),
            "has_lead_fields": selectors.mappable_lead_fields().exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


@setup_admin_required
@require_POST
def mapping_delete_view(request, pk):
    mapping = get_object_or_404(selectors.field_mappings(), pk=pk)
    label = f"{mapping.lead_field.label} → {TARGET_LABELS[mapping.target_object]} {mapping.target_field.label}"
    field_mapping_delete(mapping=mapping, acting_user=request.user)
    messages.success(request, _("Removed the mapping %(label)s.") % {"label": label})
    return redirect(reverse("conversion:mapping"))
