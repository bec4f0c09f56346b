"""Accept Next under contention: 16 members, each on its own database connection, empty a queue of
1,000 leads at once. Every lead is accepted exactly once and none is left behind."""

import threading
from collections import Counter

import pytest
from django.db import connection

from leads.models import Lead
from leads.routing.services import queue_accept_next
from tests.factories import QueueFactory, UserFactory

from .conftest import bulk_leads

CLIENTS = 16
LEADS = 1000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sixteen_members_pressing_accept_next_never_share_or_skip_a_lead():
    # given a queue of 1,000 leads and 16 members
    assert connection.vendor == "postgresql"
    members = [UserFactory(username=f"puller{i}") for i in range(CLIENTS)]
    queue = QueueFactory(name="Contended")
    queue.members.set(members)
    leads = bulk_leads(LEADS, owner_queue=queue)
    taken: dict[int, list[int]] = {m.pk: [] for m in members}
    errors: list[BaseException] = []
    start = threading.Barrier(CLIENTS)

    def pull(member):
        try:
            start.wait()
            while True:
                lead = queue_accept_next(queue=queue, acting_user=member)
                if lead is None:
                    break
                taken[member.pk].append(lead.pk)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    # when they all press Accept Next until the queue is empty
    threads = [threading.Thread(target=pull, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    # then no error, every lead accepted exactly once, and the queue is empty
    assert errors == []
    accepted = [pk for pks in taken.values() for pk in pks]
    assert len(accepted) == LEADS
    assert Counter(accepted).most_common(1)[0][1] == 1
    assert set(accepted) == {lead.pk for lead in leads}
    assert not Lead.objects.filter(owner_queue=queue).exists()
    owners = dict(Lead.objects.values_list("pk", "owner_user_id"))
    for member_pk, pks in taken.items():
        assert all(owners[pk] == member_pk for pk in pks)
    # and the work was shared: more than one member got leads
    assert sum(1 for pks in taken.values() if pks) > 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_round_robin_assignments_stay_fair(marketing_admin):
    # given a round-robin entry over a queue of 4 members and 200 leads
    from leads.routing import services

    members = [UserFactory(username=f"rr{i}") for i in range(4)]
    queue = QueueFactory(name="Round robin")
    queue.members.set(members)
    rule = services.rule_create(name="RR", acting_user=marketing_admin)
    services.entry_save(
        rule=rule, data=services.EntryInput(assign_to="rr_queue", assign_queue=queue), acting_user=marketing_admin
    )
    services.rule_activate(rule=rule, acting_user=marketing_admin)
    leads = bulk_leads(200, owner_user=marketing_admin)
    chunks = [leads[i::8] for i in range(8)]
    errors: list[BaseException] = []

    def assign(chunk):
        try:
            for lead in chunk:
                services.lead_assign(lead=lead, acting_user=marketing_admin)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    # when 8 clients assign at the same time
    threads = [threading.Thread(target=assign, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    # then the entry's cursor, changed under its row lock, kept the turns fair
    assert errors == []
    counts = Counter(Lead.objects.values_list("owner_user", flat=True))
    assert set(counts) == {m.pk for m in members}
    assert max(counts.values()) - min(counts.values()) <= 1
