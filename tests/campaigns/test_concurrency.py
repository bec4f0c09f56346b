"""Two people adding the same lead to a campaign at the same moment make one membership, and
neither gets an error. Transactional (the threads need committed rows), so it takes a few seconds."""

import threading

import pytest
from django.db import connection

from campaigns import services
from campaigns.models import CampaignMember
from tests.factories import LeadFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_adds_of_one_lead_make_one_membership(new_campaign, marketing_admin):
    campaign = new_campaign("Race")
    lead = LeadFactory()
    barrier = threading.Barrier(4)
    errors = []

    def add():
        barrier.wait()
        try:
            services.campaign_members_add(campaign=campaign, leads=[lead], acting_user=marketing_admin)
        except Exception as exc:  # any error is what the test reports
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert CampaignMember.objects.filter(campaign=campaign, lead=lead).count() == 1
