from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from dxconnector.portal import (
    delete_views,
    dynamics_views,
    history_views,
    pause_views,
    question_views,
    sync_views,
    views,
    webhooks,
    xero_views,
)
from dxconnector.portal.forms import EmailLoginForm, QueuedPasswordResetForm

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="home", permanent=False)),
    path("register/", views.register, name="register"),
    path("register/sent/", views.register_sent, name="register-sent"),
    path("register/complete/<str:token>/", views.register_complete, name="register-complete"),
    path(
        "login/", auth_views.LoginView.as_view(authentication_form=EmailLoginForm, redirect_authenticated_user=True), name="login"
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("home/", views.home, name="home"),
    path("connections/new/", views.connection_new, name="connection-new"),
    path("connections/<uuid:pk>/", views.connection_detail, name="connection"),
    path("connections/<uuid:pk>/defaults/", views.connection_defaults, name="connection-defaults"),
    path("connections/<uuid:pk>/create/", views.connection_create, name="connection-create"),
    path("connections/<uuid:pk>/start-trial/", views.connection_start_trial, name="connection-start-trial"),
    path("connections/<uuid:pk>/sync/", sync_views.sync_now, name="connection-sync-now"),
    path("connections/<uuid:pk>/pause/", pause_views.pause, name="connection-pause"),
    path("connections/<uuid:pk>/resume/", pause_views.resume, name="connection-resume"),
    path("connections/<uuid:pk>/delete/", delete_views.delete, name="connection-delete"),
    path("connections/<uuid:pk>/history/", history_views.history, name="connection-history"),
    path("connections/<uuid:pk>/history/retry/", history_views.retry, name="connection-history-retry"),
    path("connections/<uuid:pk>/why/", question_views.why, name="connection-why"),
    path("connections/<uuid:pk>/why/ask/", question_views.ask, name="connection-why-ask"),
    path("connections/<uuid:pk>/xero/connect/", xero_views.connect, name="xero-connect"),
    path("connections/<uuid:pk>/xero/choose/", xero_views.choose, name="xero-choose"),
    path("connections/<uuid:pk>/xero/disconnect/", xero_views.disconnect, name="xero-disconnect"),
    path("xero/callback/", xero_views.callback, name="xero-callback"),
    path("connections/<uuid:pk>/dynamics/connect/", dynamics_views.connect, name="dynamics-connect"),
    path("connections/<uuid:pk>/dynamics/select/", dynamics_views.select, name="dynamics-select"),
    path("connections/<uuid:pk>/dynamics/disconnect/", dynamics_views.disconnect, name="dynamics-disconnect"),
    path("connections/<uuid:pk>/solution.zip", dynamics_views.solution_download, name="solution-download"),
    path("connections/<uuid:pk>/solution/install/", dynamics_views.solution_install, name="solution-install"),
    path("dynamics/callback/", dynamics_views.callback, name="dynamics-callback"),
    path("webhooks/xero/", webhooks.xero, name="xero-webhook"),
    path("webhooks/dynamics/<uuid:connection_id>/", webhooks.dynamics, name="dynamics-webhook"),
]
