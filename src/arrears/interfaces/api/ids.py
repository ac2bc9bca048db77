"""Ids in API paths: any whole number, signed, of any size, reaches the operation, whose look-up
answers an unknown id, one out of range (0, negative, beyond 2^63) and one the person may not see
alike: 404 `not_found` naming the field. Django's `int` converter would send a negative id to the
unknown-path answer instead, worded differently. Written `{id:case_id}` in a route's path; literal
siblings (`/cases/reassign`) still win, since they do not match."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    regex = "-?[0-9]+"

    def to_python(self, value: str) -> str:
        return value  # the operation's type (int) converts it, as for any parameter

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(IdConverter, "id")
