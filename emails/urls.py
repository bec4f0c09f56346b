"""Setup pages of the emails app (namespace ``emails``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("setup/email-templates/", views.template_list, name="template_list"),
    path("setup/email-templates/new/", views.template_create, name="template_create"),
    path("setup/email-templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("setup/email-templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("setup/email-templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("setup/email-folders/", views.folder_list, name="folder_list"),
    path("setup/email-folders/<int:pk>/edit/", views.folder_edit, name="folder_edit"),
    path("setup/email-folders/<int:pk>/delete/", views.folder_delete, name="folder_delete"),
    path("setup/outbox/", views.outbox, name="outbox"),
    path("setup/outbox/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("setup/outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    path("setup/auto-response-rules/", views.autoresponse_list, name="autoresponse_list"),
    path("setup/auto-response-rules/default/", views.autoresponse_settings, name="autoresponse_settings"),
    path("setup/auto-response-rules/new/", views.autoresponse_create, name="autoresponse_create"),
    path("setup/auto-response-rules/<int:pk>/", views.autoresponse_detail, name="autoresponse_detail"),
    path("setup/auto-response-rules/<int:pk>/edit/", views.autoresponse_edit, name="autoresponse_edit"),
    path("setup/auto-response-rules/<int:pk>/activate/", views.autoresponse_activate, name="autoresponse_activate"),
    path("setup/auto-response-rules/<int:pk>/delete/", views.autoresponse_delete, name="autoresponse_delete"),
    path(
        "setup/auto-response-rules/<int:pk>/entries/new/",
        views.autoresponse_entry_create,
        name="autoresponse_entry_create",
    ),
    path("setup/auto-response-entries/<int:pk>/edit/", views.autoresponse_entry_edit, name="autoresponse_entry_edit"),
    path(
        "setup/auto-response-entries/<int:pk>/delete/",
        views.autoresponse_entry_delete,
        name="autoresponse_entry_delete",
    ),
    path("setup/auto-response-entries/<int:pk>/move/", views.autoresponse_entry_move, name="autoresponse_entry_move"),
]
