import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates with that user's token."""
    from rest_framework.authtoken.models import Token

    client = APIClient()

    def as_user(user):
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def public_read_only(system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="public_read", acting_user=system_admin)


@pytest.fixture
def public_read_write(system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="public_read_write", acting_user=system_admin)
