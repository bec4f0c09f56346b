import pytest

from emails.demo import seed
from emails.models import AutoResponseRule, EmailTemplate, OutboundEmail
from tests.factories import LeadFactory


@pytest.mark.django_db
def test_demo_seed_is_idempotent(rep, other_rep, marketing_admin, system_admin):
    LeadFactory(lead_source="Trade Show", email="ann@example.com", owner_user=rep)
    LeadFactory(lead_source="Website", email="bob@example.com", owner_user=rep)
    users = {"rep": rep, "rep2": other_rep, "marketing": marketing_admin, "sysadmin": system_admin}

    seed(users=users)
    seed(users=users)

    assert EmailTemplate.objects.count() == 4
    assert AutoResponseRule.objects.get(is_active=True).entries.count() == 1
    subjects = sorted(OutboundEmail.objects.values_list("subject", flat=True))
    assert len(subjects) == 2
    assert any(s.startswith("Great meeting you at the show") for s in subjects)
