"""Routes of lead routing, included under /leads/ in the ``leads`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("queues/", views.queue_list, name="queue_list"),
    path("queues/<int:pk>/", views.queue_detail, name="queue_detail"),
    path("queues/<int:pk>/accept-next/", views.queue_accept_next, name="queue_accept_next"),
    path("availability/", views.availability_toggle, name="availability"),
    path("<int:pk>/accept/", views.lead_accept, name="accept"),
    path("<int:pk>/send-to-queue/", views.lead_send_to_queue, name="send_to_queue"),
    path("setup/queues/", views.queue_setup, name="queue_setup"),
    path("setup/queues/new/", views.queue_edit, name="queue_create"),
    path("setup/queues/<int:pk>/", views.queue_edit, name="queue_edit"),
    path("setup/queues/<int:pk>/delete/", views.queue_delete, name="queue_delete"),
    path("setup/settings/", views.lead_settings, name="lead_settings"),
    path("setup/assignment-rules/", views.rule_list, name="rule_list"),
    path("setup/assignment-rules/new/", views.rule_edit, name="rule_create"),
    path("setup/assignment-rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("setup/assignment-rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("setup/assignment-rules/<int:pk>/activate/", views.rule_activate, name="rule_activate"),
    path("setup/assignment-rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("setup/assignment-rules/<int:pk>/test/", views.rule_test, name="rule_test"),
    path("setup/assignment-rules/<int:rule_pk>/entries/new/", views.entry_edit, name="entry_create"),
    path("setup/assignment-rules/<int:rule_pk>/entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("setup/assignment-rule-entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("setup/assignment-rule-entries/<int:pk>/move/", views.entry_move, name="entry_move"),
]
