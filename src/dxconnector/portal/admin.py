from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from dxconnector.connections.models import Connection, TrialUse
from dxconnector.portal.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "company", "is_active", "activated_at", "date_joined"]
    search_fields = ["email", "name", "company"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "company", "accepted_terms_at"]}),
        ("Access", {"fields": ["is_active", "activated_at", "is_staff", "is_superuser", "groups", "user_permissions"]}),
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


@admin.register(TrialUse)
class TrialUseAdmin(admin.ModelAdmin[TrialUse]):
    """The free trials each Xero and Dynamics organisation has had, kept when connections go. To grant another trial,
    raise "allowed" by one."""

    list_display = ["organisation", "side", "used", "allowed", "last_used_at"]
    list_filter = ["side"]
    search_fields = ["organisation"]
    readonly_fields = ["side", "organisation", "used", "last_connection_id", "last_used_at"]
