"""Pages of activities: the forms opened from a record page (htmx), the related lists refreshed
after a change, and My Tasks with completing a task in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import apply_service_errors

from . import services
from .forms import CallForm, EventForm, TaskForm
from .parts import part_context, render_history, render_open
from .selectors import MY_TASK_VIEWS, my_task_counts, my_tasks, related_record_for, tasks_visible_to

CHANGED = "activitiesChanged"
KINDS = {
    "task": (TaskForm, services.task_create, gettext_lazy("New Task")),
    "event": (EventForm, services.event_create, gettext_lazy("New Event")),
    "call": (CallForm, services.call_log, gettext_lazy("Log a Call")),
}


def _record_or_404(request, object_name: str, pk: int):
    record = related_record_for(user=request.user, object_name=object_name, pk=pk)
    if record is None:
        raise Http404
    return record


def _record_url(object_name: str, record) -> str:
    return reverse("leads:detail" if object_name == "lead" else f"sales:{object_name}_detail", args=[record.pk])


def _activity_new(request, object_name: str, pk: int, kind: str):
    record = _record_or_404(request, object_name, pk)
    form_class, create, title = KINDS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, object_name: record}
        if kind == "call" and data.get("duration_seconds") is None:
            data["duration_seconds"] = 0
        if kind == "event":
            data["attendees"] = list(form.cleaned_data["attendees"])
        try:
            create(data=data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            done = {
                "task": _("The task was created."),
                "event": _("The event was created."),
                "call": _("The call was logged."),
            }
            if request.htmx:
                response = render(request, "activities/partials/form_done.html", {"message": done[kind]})
                response["HX-Trigger"] = CHANGED
                return response
            messages.success(request, done[kind])
            return redirect(_record_url(object_name, record))
    context = {
        **part_context(request, object_name, record),
        "form": form,
        "kind": kind,
        "title": title,
        "action": request.path,
        "record_url": _record_url(object_name, record),
    }
    template = "activities/partials/activity_form.html" if request.htmx else "activities/activity_form.html"
    return render(request, template, context)


@login_required
def task_new(request, object_name: str, pk: int):
    return _activity_new(request, object_name, pk, "task")


@login_required
def event_new(request, object_name: str, pk: int):
    return _activity_new(request, object_name, pk, "event")


@login_required
def call_new(request, object_name: str, pk: int):
    return _activity_new(request, object_name, pk, "call")


@login_required
def related_part(request, object_name: str, pk: int, key: str):
    """One related list again, for htmx to swap in after an activity changed."""
    record = _record_or_404(request, object_name, pk)
    render_part = {"open": render_open, "history": render_history}.get(key)
    if render_part is None:
        raise Http404
    return HttpResponse(render_part(request, object_name, record))


@login_required
def my_task_list(request):
    view = request.GET.get("view", "today")
    if view not in MY_TASK_VIEWS:
        view = "today"
    tasks = list(my_tasks(user=request.user, view=view)[:200])
    views = [
        ("overdue", _("Overdue")),
        ("today", _("Today")),
        ("week", _("This Week")),
        ("all", _("All Open")),
    ]
    return render(
        request,
        "activities/my_tasks.html",
        {
            "tasks": tasks,
            "view": view,
            "views": views,
            "counts": my_task_counts(user=request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def task_complete(request, pk: int):
    task = get_object_or_404(tasks_visible_to(request.user), pk=pk)
    try:
        task = services.task_complete(task=task, acting_user=request.user)
    except PermissionError as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=403)
        messages.error(request, str(exc))
        return redirect(request.POST.get("next") or "activities:my_tasks")
    if request.htmx:
        response = render(request, "activities/partials/task_row_done.html", {"task": task})
        response["HX-Trigger"] = CHANGED
        return response
    messages.success(request, _("The task was completed."))
    next_url = request.POST.get("next") or ""
    return redirect(next_url if next_url.startswith("/") and not next_url.startswith("//") else "activities:my_tasks")
