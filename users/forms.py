"""User administration forms: input shape only; ``users.services`` validates and writes."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.roles import ROLE_CHOICES, display_name

from .models import PermissionSet
from .permissions import ASSIGNABLE

ROLE_LABELS = dict(ROLE_CHOICES)


class UserForm(forms.Form):
    first_name = forms.CharField(label=_("First Name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last Name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class InviteForm(UserForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        required=False,
        help_text=_("Leave it empty to use the email address."),
    )
    permission_sets = forms.ModelMultipleChoiceField(
        label=_("Permission Sets"),
        queryset=PermissionSet.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class UserPermissionSetsForm(forms.Form):
    permission_sets = forms.ModelMultipleChoiceField(
        label=_("Permission Sets"),
        queryset=PermissionSet.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class PermissionSetForm(forms.Form):
    name = forms.CharField(label=_("Label"), max_length=80)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    permissions = forms.MultipleChoiceField(
        label=_("App and Object Permissions"),
        choices=[(item.codename, f"{item.area}: {item.label}") for item in ASSIGNABLE],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class AssignUsersForm(forms.Form):
    users = UserChoiceField(
        label=_("Users"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name", "username"),
    )
