"""The contact roles of an opportunity."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..fields import OPPORTUNITY
from ..forms import ContactRoleForm
from ..models import OpportunityContactRole
from .common import _editable_opportunity, _errors_message, _url


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
            messages.success(
                request, _("%(full_name)s was added to the contact roles.") % {"full_name": role.contact.full_name}
            )
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
    messages.success(
        request, _("%(full_name)s was removed from the contact roles.") % {"full_name": role.contact.full_name}
    )
    return redirect(_url(OPPORTUNITY, "detail", pk) + "#contact-roles")
