from django.urls import path

from . import views

urlpatterns = [
    path("setup/business-hours/", views.business_hours_list, name="business_hours_list"),
    path("setup/business-hours/new/", views.business_hours_create, name="business_hours_create"),
    path("setup/business-hours/<int:pk>/", views.business_hours_detail, name="business_hours_detail"),
    path("setup/business-hours/<int:pk>/edit/", views.business_hours_edit, name="business_hours_edit"),
    path("setup/business-hours/<int:pk>/delete/", views.business_hours_delete, name="business_hours_delete"),
    path("setup/business-hours/<int:pk>/holidays/", views.holiday_add, name="holiday_add"),
    path("setup/holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    path("setup/sla-rules/", views.rule_list, name="rule_list"),
    path("setup/sla-rules/new/", views.rule_create, name="rule_create"),
    path("setup/sla-rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("setup/sla-rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("setup/sla-rules/<int:pk>/activate/", views.rule_activate, name="rule_activate"),
    path("setup/sla-rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("setup/sla-rules/<int:pk>/policies/new/", views.policy_create, name="policy_create"),
    path("setup/sla-policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("setup/sla-policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
    path("setup/sla-policies/<int:pk>/move/", views.policy_move, name="policy_move"),
    path("queue-health/", views.queue_health, name="queue_health"),
]
