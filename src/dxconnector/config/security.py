"""Headers every answer carries beyond Django's own (SecurityMiddleware, X-Frame-Options): the Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Sets `Content-Security-Policy` (settings.CONTENT_SECURITY_POLICY) on every answer that has none of its own. The
    portal's pages load only their own stylesheet and have no script or inline style, so `default-src 'self'` costs
    nothing and stops whatever script an injection might slip into a page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response
