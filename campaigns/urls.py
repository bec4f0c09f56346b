from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list_view, name="list"),
    path("new/", views.campaign_create_view, name="create"),
    path("add-leads/", views.add_leads_view, name="add_leads"),
    path("add-lead/<int:lead_pk>/", views.lead_add_view, name="lead_add"),
    path("<int:pk>/", views.campaign_detail_view, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit_view, name="edit"),
    path("<int:pk>/delete/", views.campaign_delete_view, name="delete"),
    path("<int:pk>/member-statuses/", views.member_status_create_view, name="member_status_create"),
    path("<int:pk>/members/<int:member_pk>/", views.member_update_view, name="member_update"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove_view, name="member_remove"),
]
