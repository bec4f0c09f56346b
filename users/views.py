"""Setup → Users and Setup → Permission Sets (system admins only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.form_pages import service_form_page
from core.forms import apply_service_errors
from core.roles import role_label, system_admin_required

from . import selectors, services
from .forms import (
    ROLE_CHOICES,
    ROLE_LABELS,
    AssignUsersForm,
    InviteForm,
    PermissionSetForm,
    UserForm,
    UserPermissionSetsForm,
)
from .models import PermissionSet
from .permissions import ASSIGNABLE

PAGE_SIZE = 50


def _user_or_404(pk: int):
    user = selectors.user_get(pk)
    if user is None:
        raise Http404
    return user


def _set_or_404(pk: int) -> PermissionSet:
    permission_set = PermissionSet.objects.select_related("group").filter(pk=pk).first()
    if permission_set is None:
        raise Http404
    return permission_set


def _role_label(user) -> str:
    return ROLE_LABELS.get(services.role_of(user), "")


# Users -------------------------------------------------------------------------------------------


@system_admin_required
def user_list(request):
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    active = request.GET.get("active", "1")
    page = Paginator(selectors.user_list(query=query, role=role, active=active), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for user in page.object_list:
        groups = user.prefetched_groups
        user._leadcrm_groups = {g.name for g in groups}
        sets = sorted((g.permission_set.name for g in groups if hasattr(g, "permission_set")), key=str.lower)
        rows.append({"user": user, "role": ROLE_LABELS.get(role_label(user), ""), "sets": sets})
    return render(
        request,
        "users/user_list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "role": role,
            "active": active,
            "role_choices": ROLE_CHOICES,
        },
    )


@system_admin_required
def user_invite(request):
    form = InviteForm(request.POST or None)
    return service_form_page(
        request,
        form,
        save=lambda: services.user_invite(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            role=form.cleaned_data["role"],
            username=form.cleaned_data["username"],
            permission_sets=form.cleaned_data["permission_sets"],
            acting_user=request.user,
        ),
        saved_message=lambda user: (
            _("%(name)s was invited; the invitation is on its way to %(email)s.")
            % {"name": user.get_full_name(), "email": user.email}
        ),
        saved_url=lambda user: reverse("users:user_detail", args=[user.pk]),
        template="users/user_form.html",
        context={"record": None},
    )


@system_admin_required
def user_detail(request, pk: int):
    user = _user_or_404(pk)
    sets = selectors.permission_sets_of(user)
    return render(
        request,
        "users/user_detail.html",
        {
            "record": user,
            "role": _role_label(user),
            "permission_sets": sets,
            "sets_form": UserPermissionSetsForm(initial={"permission_sets": sets}),
            "audit": selectors.user_audit(user=user)[:50],
            "invitation_pending": user.is_active and not user.has_usable_password(),
        },
    )


@system_admin_required
def user_edit(request, pk: int):
    user = _user_or_404(pk)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": services.role_of(user),
    }
    form = UserForm(request.POST or None, initial=initial)
    return service_form_page(
        request,
        form,
        save=lambda: services.user_update(user=user, acting_user=request.user, **form.cleaned_data),
        saved_message=lambda _saved: _("The user was saved."),
        saved_url=lambda saved: reverse("users:user_detail", args=[saved.pk]),
        template="users/user_form.html",
        context={"record": user},
    )


def _account_action(request, pk: int, action, done: str):
    user = _user_or_404(pk)
    try:
        action(user=user, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("users:user_detail", pk=user.pk)


@system_admin_required
@require_POST
def user_deactivate(request, pk: int):
    return _account_action(
        request, pk, services.user_deactivate, _("The user was deactivated and can no longer sign in.")
    )


@system_admin_required
@require_POST
def user_reactivate(request, pk: int):
    return _account_action(request, pk, services.user_reactivate, _("The user was reactivated."))


@system_admin_required
@require_POST
def user_password_reset(request, pk: int):
    return _account_action(
        request, pk, services.user_password_reset_send, _("A link to choose a new password is on its way.")
    )


@system_admin_required
@require_POST
def user_invitation_resend(request, pk: int):
    return _account_action(request, pk, services.user_invitation_resend, _("The invitation was sent again."))


@system_admin_required
@require_POST
def user_permission_sets(request, pk: int):
    user = _user_or_404(pk)
    form = UserPermissionSetsForm(request.POST)
    if form.is_valid():
        services.user_permission_sets_set(
            user=user, permission_sets=form.cleaned_data["permission_sets"], acting_user=request.user
        )
        messages.success(request, _("The permission sets were saved."))
    else:
        messages.error(request, _("Choose permission sets from the list."))
    return redirect("users:user_detail", pk=user.pk)


# Permission sets ---------------------------------------------------------------------------------


@system_admin_required
def permission_set_list(request):
    return render(request, "users/permission_set_list.html", {"permission_sets": selectors.permission_sets()})


def _permission_set_form(request, permission_set: PermissionSet | None):
    initial = {}
    if permission_set is not None:
        initial = {
            "name": permission_set.name,
            "description": permission_set.description,
            "permissions": services.permission_codenames(permission_set),
        }
    form = PermissionSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if permission_set is None:
                permission_set = services.permission_set_create(acting_user=request.user, **form.cleaned_data)
            else:
                services.permission_set_update(
                    permission_set=permission_set, acting_user=request.user, **form.cleaned_data
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The permission set was saved."))
            return redirect("users:permission_set_detail", pk=permission_set.pk)
    return render(
        request,
        "users/permission_set_form.html",
        {"form": form, "record": permission_set},
        status=400 if form.errors else 200,
    )


@system_admin_required
def permission_set_create(request):
    return _permission_set_form(request, None)


@system_admin_required
def permission_set_edit(request, pk: int):
    return _permission_set_form(request, _set_or_404(pk))


@system_admin_required
def permission_set_detail(request, pk: int):
    permission_set = _set_or_404(pk)
    granted = set(services.permission_codenames(permission_set))
    return render(
        request,
        "users/permission_set_detail.html",
        {
            "record": permission_set,
            "permissions": [item for item in ASSIGNABLE if item.codename in granted],
            "users": selectors.permission_set_users(permission_set),
            "assign_form": AssignUsersForm(),
        },
    )


@system_admin_required
@require_POST
def permission_set_assign(request, pk: int):
    permission_set = _set_or_404(pk)
    form = AssignUsersForm(request.POST)
    if form.is_valid():
        added = services.permission_set_assign(
            permission_set=permission_set, users=form.cleaned_data["users"], acting_user=request.user
        )
        messages.success(request, _("Permission set assigned to %(count)s more users.") % {"count": added})
    else:
        messages.error(request, _("Choose active users from the list."))
    return redirect("users:permission_set_detail", pk=permission_set.pk)


@system_admin_required
@require_POST
def permission_set_unassign(request, pk: int, user_pk: int):
    permission_set = _set_or_404(pk)
    user = _user_or_404(user_pk)
    services.permission_set_unassign(permission_set=permission_set, user=user, acting_user=request.user)
    messages.success(
        request,
        _("%(name)s no longer has this permission set.") % {"name": user.get_full_name() or user.get_username()},
    )
    return redirect("users:permission_set_detail", pk=permission_set.pk)


@system_admin_required
@require_POST
def permission_set_delete(request, pk: int):
    permission_set = _set_or_404(pk)
    try:
        services.permission_set_delete(permission_set=permission_set, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("users:permission_set_detail", pk=permission_set.pk)
    messages.success(request, _("The permission set was deleted."))
    return redirect("users:permission_set_list")
