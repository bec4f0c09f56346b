import pytest

from sales import demo
from sales.models import Account, Opportunity, Product, RecordType
from sales.selectors import record_type_default_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_consistent(rep, other_rep, marketing_admin, system_admin):
    users = {"rep": rep, "rep2": other_rep, "marketing": marketing_admin, "sysadmin": system_admin}

    demo.seed(users=users)
    demo.seed(users=users)

    assert Product.objects.count() == 10
    assert set(RecordType.objects.exclude(object_name="lead").values_list("name", flat=True)) == {"Enterprise", "SMB"}
    assert Account.objects.count() == 5
    assert record_type_default_for(user=rep, object_name="opportunity").name == "Enterprise"
    assert record_type_default_for(user=UserFactory(role="Sales rep"), object_name="opportunity").name == "SMB"
    renewal = Opportunity.objects.get(name="Northwind - 150 seats renewal")
    assert renewal.amount == 150 * 1800 + 6000
    assert renewal.contact_roles.get().is_primary
