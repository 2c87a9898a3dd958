from django.contrib import admin
from django.urls import include, path

from dxconnector.jobs.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("dxconnector.portal.urls")),
]
