"""Pages of nurture sequences: the Setup list, the sequence form and builder, the record page with
its statistics and enrolled leads, enrolment from a lead and from a list view selection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import apply_service_errors
from core.paging import page_window
from core.roles import is_marketing_admin, setup_admin_required
from leads.selectors import leads_visible_to

from . import selectors, services
from .forms import EnrolLeadsForm, SequenceForm, StepForm
from .models import NurtureEnrolment, NurtureSequence, NurtureStep

PAGE_SIZE = 50


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _sequence(request: HttpRequest, pk: int) -> NurtureSequence:
    return get_object_or_404(selectors.sequences_visible_to(request.user), pk=pk)


@login_required
def sequence_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "nurture/sequence_list.html",
        {"sequences": list(selectors.sequence_list(user=request.user)), "can_edit": is_marketing_admin(request.user)},
    )


@login_required
def sequence_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    sequence = _sequence(request, pk)
    stats = selectors.step_statistics(sequence=sequence)
    status = request.GET.get("status", "")
    status = status if status in NurtureEnrolment.Status.values else ""
    enrolments, page, has_next = page_window(
        selectors.sequence_enrolments(sequence=sequence, user=request.user, status=status),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    steps = [s.step for s in stats]
    rows = [(e, selectors.step_at(steps, e.position) if e.status in ("active", "paused") else None) for e in enrolments]
    counts = dict.fromkeys(NurtureEnrolment.Status.values, 0)
    for key, n in sequence.enrolments.values_list("status").order_by().annotate(n=Count("id")):
        counts[key] = n
    highlights = [
        (_("Status"), sequence.get_status_display()),
        (_("Steps"), len(steps)),
        (_("Active"), counts["active"]),
        (_("Paused"), counts["paused"]),
        (_("Completed"), counts["completed"]),
        (_("Exited"), counts["exited"]),
    ]
    return render(
        request,
        "nurture/sequence_detail.html",
        {
            "record": sequence,
            "stats": stats,
            "rows": rows,
            "page": page,
            "has_next": has_next,
            "status": status,
            "statuses": NurtureEnrolment.Status.choices,
            "highlights": highlights,
            "problems": services.sequence_problems(sequence) if sequence.status != "active" else [],
            "can_edit": is_marketing_admin(request.user),
        },
    )


def _sequence_form_page(request: HttpRequest, *, sequence: NurtureSequence | None) -> HttpResponse:
    if request.method == "POST":
        form = SequenceForm(request.POST)
        if form.is_valid():
            try:
                if sequence is None:
                    sequence = services.sequence_create(data=form.cleaned_data, acting_user=request.user)
                    messages.success(request, _("Sequence “%(name)s” created: now add its steps.") % {"name": sequence})
                    return redirect("nurture:builder", sequence.pk)
                services.sequence_update(sequence=sequence, data=form.cleaned_data, acting_user=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Sequence saved."))
                return redirect("nurture:detail", sequence.pk)
    else:
        form = SequenceForm(initial=SequenceForm.initial_for(sequence) if sequence else None)
    return render(
        request,
        "nurture/sequence_form.html",
        {"form": form, "record": sequence},
        status=400 if request.method == "POST" else 200,
    )


@setup_admin_required
def sequence_create_view(request: HttpRequest) -> HttpResponse:
    return _sequence_form_page(request, sequence=None)


@setup_admin_required
def sequence_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _sequence_form_page(request, sequence=_sequence(request, pk))


@setup_admin_required
@require_POST
def sequence_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    sequence = _sequence(request, pk)
    try:
        sequence = services.sequence_set_status(
            sequence=sequence, status=request.POST.get("status", ""), acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if sequence.status == NurtureSequence.Status.PAUSED:
            messages.success(request, _("Sequence paused: its enrolled leads exited (reason: sequence paused)."))
        else:
            messages.success(request, _("Sequence saved."))
    return redirect(_safe_next(request, reverse("nurture:detail", args=[pk])))


@setup_admin_required
def sequence_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    sequence = _sequence(request, pk)
    if request.method == "POST":
        try:
            services.sequence_delete(sequence=sequence, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("nurture:detail", pk)
        messages.success(request, _("Sequence deleted."))
        return redirect("nurture:list")
    return render(request, "nurture/sequence_delete.html", {"record": sequence})


# Builder ---------------------------------------------------------------------------------------


def _builder(
    request: HttpRequest, sequence: NurtureSequence, form: StepForm, *, editing: NurtureStep | None = None, status=200
):
    return render(
        request,
        "nurture/sequence_builder.html",
        {"record": sequence, "steps": selectors.sequence_steps(sequence=sequence), "form": form, "editing": editing},
        status=status,
    )


@setup_admin_required
def sequence_builder_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The steps of a sequence and the form that adds one (at the end, or at ``position``)."""
    sequence = _sequence(request, pk)
    if request.method == "POST":
        form = StepForm(request.POST, sequence=sequence)
        if form.is_valid():
            raw = request.POST.get("position", "")
            try:
                services.step_create(
                    sequence=sequence,
                    data=form.service_data(),
                    acting_user=request.user,
                    position=int(raw) if raw.isdigit() else None,
                )
            except ValidationError as exc:
                apply_service_errors(
                    form, exc, field_map={"criteria": "criteria_field", "filter_logic": "criteria_field"}
                )
            else:
                messages.success(request, _("Step added."))
                return redirect(reverse("nurture:builder", args=[pk]) + "#steps")
        return _builder(request, sequence, form, status=400)
    return _builder(request, sequence, StepForm(sequence=sequence))


def _step(request: HttpRequest, pk: int, step_pk: int) -> NurtureStep:
    return get_object_or_404(NurtureStep.objects.select_related("sequence"), pk=step_pk, sequence_id=pk)


@setup_admin_required
def step_edit_view(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step(request, pk, step_pk)
    if request.method == "POST":
        form = StepForm(request.POST, sequence=step.sequence)
        if form.is_valid():
            data = form.service_data()
            data.pop("kind", None)  # a step keeps its kind
            try:
                services.step_update(step=step, data=data, acting_user=request.user)
            except ValidationError as exc:
                apply_service_errors(
                    form, exc, field_map={"criteria": "criteria_field", "filter_logic": "criteria_field"}
                )
            else:
                messages.success(request, _("Step saved."))
                return redirect(reverse("nurture:builder", args=[pk]) + "#steps")
        return _builder(request, step.sequence, form, editing=step, status=400)
    return _builder(
        request, step.sequence, StepForm(initial=StepForm.initial_for(step), sequence=step.sequence), editing=step
    )


@setup_admin_required
@require_POST
def step_move_view(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step(request, pk, step_pk)
    try:
        services.step_move(
            step=step, direction=-1 if request.POST.get("direction") == "up" else 1, acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("nurture:builder", args=[pk]) + f"#step-{step.pk}")


@setup_admin_required
@require_POST
def step_delete_view(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step(request, pk, step_pk)
    services.step_delete(step=step, acting_user=request.user)
    messages.success(request, _("Step deleted."))
    return redirect(reverse("nurture:builder", args=[pk]) + "#steps")


# Enrolment -------------------------------------------------------------------------------------


def _enrolled_message(request: HttpRequest, sequence: NurtureSequence, result) -> None:
    messages.success(
        request,
        _("%(n)d enrolled in “%(name)s”; %(already)d already in it.")
        % {"n": len(result.enrolled), "name": sequence, "already": len(result.already)},
    )
    if result.refused:
        reasons = sorted(set(result.refused.values()))
        messages.warning(
            request, _("%(n)d not enrolled: %(why)s") % {"n": len(result.refused), "why": " ".join(reasons)}
        )


@login_required
@require_POST
def lead_enrol_view(request: HttpRequest, lead_pk: int) -> HttpResponse:
    """The lead page's "Enrol in Sequence"."""
    lead = get_object_or_404(leads_visible_to(request.user), pk=lead_pk)
    back = reverse("leads:detail", args=[lead.pk]) + "#nurture-sequences"
    raw = request.POST.get("sequence", "")
    sequence = selectors.enrollable_sequences(user=request.user).filter(pk=raw if raw.isdigit() else 0).first()
    if sequence is None:
        messages.error(request, _("Choose an active sequence."))
        return redirect(back)
    try:
        result = services.enrol_leads(sequence=sequence, lead_ids=[lead.pk], acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _enrolled_message(request, sequence, result)
    return redirect(back)


@login_required
@require_POST
def enrol_leads_view(request: HttpRequest) -> HttpResponse:
    """Enrol the leads selected on the lead list (posted as ``ids``): the first post (from the
    list) asks which sequence, the second enrols them."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:5000]
    back = _safe_next(request, reverse("leads:list"))
    if not ids:
        messages.error(request, _("Select at least one lead."))
        return redirect(back)
    sequences = selectors.enrollable_sequences(user=request.user)
    form = EnrolLeadsForm(request.POST if "sequence" in request.POST else None, sequences=sequences)
    if form.is_bound and form.is_valid():
        sequence = form.cleaned_data["sequence"]
        visible = list(leads_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
        try:
            result = services.enrol_leads(
                sequence=sequence, lead_ids=visible, acting_user=request.user, source=NurtureEnrolment.Source.BULK
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            _enrolled_message(request, sequence, result)
            return redirect(back)
    return render(
        request,
        "nurture/enrol_leads.html",
        {"form": form, "ids": ids, "next": back, "has_sequences": sequences.exists()},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def enrolment_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        NurtureEnrolment.objects.filter(lead__in=leads_visible_to(request.user)).select_related("lead"), pk=pk
    )
    try:
        services.enrolment_remove(enrolment=enrolment, acting_user=request.user)
    except (ValidationError, PermissionError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The lead left the sequence."))
    return redirect(_safe_next(request, reverse("leads:detail", args=[enrolment.lead_id])))
