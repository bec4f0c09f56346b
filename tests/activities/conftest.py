import pytest

from core.models import OrgSettings


@pytest.fixture
def private_sharing(db):
    OrgSettings.objects.update_or_create(pk=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
