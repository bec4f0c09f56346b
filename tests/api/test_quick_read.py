"""The quick read path of the lead serializer answers exactly what DRF's own path answers."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from leads.api.serializers import LeadSerializer
from tests.factories import LeadFactory, QueueFactory

pytestmark = pytest.mark.django_db


def test_quick_read_matches_drf_field_by_field(rep):
    leads = [
        LeadFactory(
            owner_user=rep, annual_revenue=Decimal("1250.5"), number_of_employees=12, custom_fields={"A__c": 1}
        ),
        LeadFactory(owner_user=None, owner_queue=QueueFactory(), created_by=None, last_modified_by=None),
        LeadFactory(owner_user=rep, is_converted=True, converted_at=timezone.now(), email_opt_out=True),
    ]

    quick = LeadSerializer(leads, many=True).data
    drf = [serializers.ModelSerializer.to_representation(LeadSerializer(), lead) for lead in leads]

    assert quick == drf
    assert quick[0]["annual_revenue"] == "1250.50"
    assert quick[1]["owner"]["type"] == "queue"
    assert quick[1]["created_by"] is None
