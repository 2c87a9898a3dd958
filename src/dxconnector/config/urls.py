from django.contrib import admin
from django.urls import include, path

from dxconnector.jobs.metrics import metrics
from dxconnector.jobs.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("", include("dxconnector.portal.urls")),
]
