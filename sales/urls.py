from django.urls import path

from . import views

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/duplicates/", views.account_duplicates, name="account_duplicates"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/edit/<str:field>/", views.account_inline_edit, name="account_inline_edit"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/edit/<str:field>/", views.contact_inline_edit, name="contact_inline_edit"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/edit/<str:field>/", views.opportunity_inline_edit, name="opportunity_inline_edit"),
    path("opportunities/<int:pk>/stage/", views.opportunity_stage, name="opportunity_stage"),
    path("opportunities/<int:pk>/products/add/", views.opportunity_product_add, name="opportunity_product_add"),
    path(
        "opportunities/<int:pk>/products/<int:item_pk>/edit/",
        views.opportunity_product_edit,
        name="opportunity_product_edit",
    ),
    path(
        "opportunities/<int:pk>/products/<int:item_pk>/remove/",
        views.opportunity_product_remove,
        name="opportunity_product_remove",
    ),
    path(
        "opportunities/<int:pk>/contact-roles/add/",
        views.opportunity_contact_role_add,
        name="opportunity_contact_role_add",
    ),
    path(
        "opportunities/<int:pk>/contact-roles/<int:role_pk>/remove/",
        views.opportunity_contact_role_remove,
        name="opportunity_contact_role_remove",
    ),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("setup/record-types/", views.recordtype_list, name="recordtype_list"),
    path("setup/record-types/new/", views.recordtype_create, name="recordtype_create"),
    path("setup/record-types/defaults/", views.recordtype_default_set, name="recordtype_default_set"),
    path("setup/record-types/<int:pk>/", views.recordtype_detail, name="recordtype_detail"),
    path("setup/record-types/<int:pk>/edit/", views.recordtype_edit, name="recordtype_edit"),
]
