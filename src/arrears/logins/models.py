from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One failed sign-in: the user name typed (whether or not such a user exists) and the address it
    came from. Never the password. A success deletes the name's failures; old rows are purged."""

    at = models.DateTimeField(db_index=True)
    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="login_failure_username_at"),
            models.Index(fields=["address", "at"], name="login_failure_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.address} {self.at:%Y-%m-%d %H:%M:%S}"
