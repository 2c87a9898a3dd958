from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from dxconnector.connections.models import Connection
from dxconnector.portal.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "company", "is_active", "date_joined"]
    search_fields = ["email", "name", "company"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "company", "accepted_terms_at"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]
    filter_horizontal = ["groups", "user_permissions"]
    list_filter = ["is_active", "is_staff"]


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    """Operators mark a subscription active here; the trial rules do the rest."""

    list_display = ["display_name", "owner", "status", "trial_started_at", "trial_ends_at", "subscription_active", "attention"]
    list_filter = ["status", "subscription_active", "attention"]
    search_fields = ["name", "owner__email"]
    readonly_fields = [
        "id",
        "created_at",
        "trial_started_at",
        "trial_ends_at",
        "last_synced_at",
        "attention",
        "attention_since",
        "attention_emailed",
    ]
