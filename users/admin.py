"""Django's own user admin, kept for emergencies (user administration lives in Setup): a rename made
there is followed by what other apps keep of a user's name, as a rename in Setup is."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.registry import run_user_rename_hooks

User = get_user_model()


class LeadCrmUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"first_name", "last_name"} & set(form.changed_data):
            run_user_rename_hooks(user=obj)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, LeadCrmUserAdmin)
