from django.urls import path

from . import views

OBJECT = "<str:object_name>/<int:pk>"

urlpatterns = [
    path("my-tasks/", views.my_task_list, name="my_tasks"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path(f"{OBJECT}/tasks/new/", views.task_new, name="task_new"),
    path(f"{OBJECT}/events/new/", views.event_new, name="event_new"),
    path(f"{OBJECT}/calls/new/", views.call_new, name="call_new"),
    path(f"{OBJECT}/<str:key>/", views.related_part, name="part"),
]
