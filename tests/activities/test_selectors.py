"""Sharing: an activity is seen with its related record, or by its assignee."""

import datetime as dt

import pytest
from django.utils import timezone

from activities import selectors, services
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_a_rep_does_not_see_the_tasks_of_another_reps_lead_under_private_sharing(rep, other_rep, private_sharing):
    theirs = services.task_create(
        data={"lead": LeadFactory(owner_user=other_rep).pk, "subject": "Theirs"}, acting_user=other_rep
    )
    mine = services.task_create(data={"lead": LeadFactory(owner_user=rep).pk, "subject": "Mine"}, acting_user=rep)

    assert list(selectors.tasks_visible_to(rep)) == [mine]
    assert set(selectors.tasks_visible_to(other_rep)) == {theirs}


def test_a_task_assigned_to_a_rep_is_seen_even_on_a_lead_they_cannot_see(rep, other_rep, private_sharing):
    task = services.task_create(
        data={"lead": LeadFactory(owner_user=other_rep).pk, "subject": "For you", "assigned_to": rep.pk},
        acting_user=other_rep,
    )

    assert list(selectors.tasks_visible_to(rep)) == [task]


def test_marketing_admin_sees_every_task(rep, marketing_admin, private_sharing):
    task = services.task_create(data={"lead": LeadFactory(owner_user=rep).pk, "subject": "x"}, acting_user=rep)

    assert list(selectors.tasks_visible_to(marketing_admin)) == [task]


def test_related_lists_split_open_and_history(rep):
    account = AccountFactory(owner=rep)
    now = timezone.now()
    open_task = services.task_create(data={"account": account.pk, "subject": "Open"}, acting_user=rep)
    done = services.task_create(data={"account": account.pk, "subject": "Done", "status": "completed"}, acting_user=rep)
    past = services.event_create(
        data={
            "account": account.pk,
            "subject": "Past",
            "start_at": now - dt.timedelta(hours=2),
            "end_at": now - dt.timedelta(hours=1),
        },
        acting_user=rep,
    )
    call = services.call_log(data={"account": account.pk, "subject": "Rang"}, acting_user=rep)

    opened = selectors.open_activities(user=rep, object_name="account", record=account)
    history = selectors.activity_history(user=rep, object_name="account", record=account)

    assert [row.activity for row in opened] == [open_task]
    assert {row.activity for row in history} == {done, past, call}


def test_my_tasks_views(rep):
    lead = LeadFactory(owner_user=rep)
    today = dt.date(2030, 6, 5)  # a Wednesday

    def task(subject, due):
        return services.task_create(data={"lead": lead.pk, "subject": subject, "due_date": due}, acting_user=rep)

    late = task("Late", today - dt.timedelta(days=1))
    now = task("Now", today)
    friday = task("Friday", today + dt.timedelta(days=2))
    task("Next week", today + dt.timedelta(days=7))

    assert list(selectors.my_tasks(user=rep, view="overdue", today=today)) == [late]
    assert list(selectors.my_tasks(user=rep, view="today", today=today)) == [now]
    assert list(selectors.my_tasks(user=rep, view="week", today=today)) == [now, friday]


def test_an_attendee_sees_the_event_of_a_lead_they_cannot_see(rep, other_rep, private_sharing):
    now = timezone.now()
    event = services.event_create(
        data={
            "lead": LeadFactory(owner_user=other_rep).pk,
            "subject": "Demo",
            "start_at": now,
            "end_at": now + dt.timedelta(hours=1),
            "attendees": [rep.pk],
        },
        acting_user=other_rep,
    )
    services.event_create(
        data={"lead": LeadFactory(owner_user=other_rep).pk, "subject": "Private", "start_at": now, "end_at": now},
        acting_user=other_rep,
    )

    assert list(selectors.events_visible_to(rep)) == [event]
