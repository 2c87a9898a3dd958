"""The form Home's rename page takes."""

from __future__ import annotations

from typing import Any

from django import forms

from dxconnector.connections.models import Connection

NAME_MAX_LENGTH = Connection._meta.get_field("name").max_length


class RenameForm(forms.Form):
    name = forms.CharField(
        label="Connection name",
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter a name for the connection.",
            "max_length": f"A connection name can be at most {NAME_MAX_LENGTH} characters long.",
        },
    )

    def __init__(self, connection: Connection, *args: Any, **kwargs: Any) -> None:
        self.connection = connection
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        others = Connection.objects.filter(owner=self.connection.owner).exclude(pk=self.connection.pk)
        if others.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                f"You already have a connection called “{name}”. Choose another name, so you can tell them apart."
            )
        return name
