import pytest


@pytest.fixture
def public_read_only(system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="public_read", acting_user=system_admin)


@pytest.fixture
def public_read_write(system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="public_read_write", acting_user=system_admin)
