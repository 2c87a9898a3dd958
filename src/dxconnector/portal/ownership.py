from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from dxconnector.connections.models import Connection


def own_connection(request: HttpRequest, pk: uuid.UUID) -> Connection:
    """Another user's connection answers 404, exactly as a missing one does."""
    return get_object_or_404(Connection, pk=pk, owner=request.user)
