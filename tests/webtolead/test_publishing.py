"""The hand-over of stored submissions to a worker reaches the broker for real (other tests record
or refuse the publish; a failing import there would only show as every request doing the work)."""

import pytest
import redis
from django.conf import settings

from leadcrm.celery import app as celery_app
from webtolead.services import DRAIN


@pytest.mark.django_db
def test_the_drain_task_is_published_to_the_broker():
    celery_app.conf.task_always_eager = False
    queue = redis.Redis.from_url(settings.REDIS_URL)
    before = queue.llen("intake")

    published = DRAIN.request()

    assert published is True
    assert queue.llen("intake") == before + 1
    queue.rpop("intake")  # nobody consumes it in this test
