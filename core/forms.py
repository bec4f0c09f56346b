from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .auth import THROTTLED_MESSAGE, client_address, login_blocked, login_failed, login_succeeded


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing further tries after too many failures per account or address."""

    def clean(self):
        username = self.cleaned_data.get("username", "")
        address = client_address(self.request)
        if login_blocked(username, address):
            raise forms.ValidationError(THROTTLED_MESSAGE, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failed(username, address)
            raise
        login_succeeded(username, address)
        return cleaned
