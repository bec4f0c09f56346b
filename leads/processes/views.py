"""The lead page's path: the guidance and key fields of a step, saved right under the path."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.fields import picklist_choices

from ..fields import OBJECT_NAME, WRITABLE_FIELDS
from ..forms import LeadForm
from ..selectors import (
    lead_detail,
    lead_history,
    lead_is_editable_by,
    lead_record_sections,
    lead_status_path,
    next_open_status,
    path_guidance_step,
)
from ..services import LeadEditConflict, lead_update


def _key_fields(lead, step) -> list[str]:
    """The step's key fields the lead's form can take (a field since removed is left out)."""
    if step is None:
        return []
    form = LeadForm(lead=lead, only=list(step.key_fields))
    return [name for name in step.key_fields if name in form.fields]


def path_context(request: HttpRequest, lead, *, step: str = "", key_form: LeadForm | None = None) -> dict:
    """What the path partial shows: the steps, the closing choices with the reasons to choose from,
    and the guidance and key fields of the chosen step (else the current one)."""
    editable = lead_is_editable_by(lead, request.user)
    path = lead_status_path(lead=lead)
    guidance_step = path_guidance_step(lead=lead, api_name=step) or path_guidance_step(lead=lead)
    names = _key_fields(lead, guidance_step)
    if key_form is None and names:
        key_form = LeadForm(lead=lead, only=names)
    rows = []
    if names and not editable:
        rows = [row for section in lead_record_sections(lead=lead) for row in section.rows if row.key in names]
    steps = [s for top in path for s in (top.choices or (top,)) if s.api_name and (s.guidance or s.key_fields)]
    if guidance_step is not None and not (guidance_step.guidance or names):
        guidance_step = None
    return {
        "lead": lead,
        "editable": editable,
        "path": path,
        "next_status": next_open_status(lead=lead) if editable and not lead.is_converted else None,
        "unqualified_reasons": picklist_choices(OBJECT_NAME, "unqualified_reason", blank=False),
        "guidance_step": guidance_step,
        "guidance_steps": steps,
        "key_form": key_form if names else None,
        "key_rows": rows,
        # Opened from the Kanban board (a card dropped on a closed status): the closing step is open.
        "close_panel": request.GET.get("close") == "1",
    }


@login_required
@require_GET
def lead_path_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The path partial showing another step's guidance and key fields (htmx); without htmx, the
    lead page at that step."""
    lead = lead_detail(user=request.user, pk=pk)
    step = request.GET.get("step", "")
    if not request.htmx:
        return redirect(reverse("leads:detail", args=[lead.pk]) + f"?step={step}#lead-path")
    return render(request, "leads/partials/path.html", path_context(request, lead, step=step))


@login_required
@require_POST
def lead_path_key_fields(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the key fields of a step through the lead service (the edit form's validation)."""
    lead = lead_detail(user=request.user, pk=pk)
    step = request.GET.get("step", "")
    context = path_context(request, lead, step=step)
    if not context["editable"]:
        return HttpResponse(_("You may not edit this lead."), status=403)
    names = _key_fields(lead, context["guidance_step"])
    form = LeadForm(request.POST, lead=lead, only=names)
    saved = False
    if names and form.is_valid():
        custom = {n: form.cleaned_data[n] for n in names if n not in WRITABLE_FIELDS}
        try:
            lead = lead_update(
                lead=lead,
                data={n: form.cleaned_data[n] for n in names if n in WRITABLE_FIELDS},
                custom_fields=custom or None,
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
            saved = True
        except LeadEditConflict:
            form.add_error(None, _("Someone changed this lead meanwhile; review it and try again."))
        except ValidationError as exc:
            form.add_service_errors(exc)
    if not request.htmx:
        if saved:
            messages.success(request, _("Lead “%(name)s” was saved.") % {"name": lead.name})
        else:
            problems = " ".join(m for errors in form.errors.values() for m in errors)
            messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": problems})
        return redirect(reverse("leads:detail", args=[lead.pk]) + f"?step={step}#lead-path")
    if saved:
        lead = lead_detail(user=request.user, pk=lead.pk)
        context = path_context(request, lead, step=step)
        context.update(
            {"sections": lead_record_sections(lead=lead), "history": lead_history(lead=lead), "saved_fields": names}
        )
        response = render(request, "leads/partials/path_saved.html", context)
        response["HX-Trigger"] = "leadSaved"
        return response
    return render(
        request, "leads/partials/path.html", path_context(request, lead, step=step, key_form=form), status=400
    )
