"""Bounded input types for the API's schemas: values a database column and the date arithmetic can hold.

A date in year 9999 or a string longer than its column is refused by the schema,
as a 422 naming the field, before any code or query sees it; the bounds are in the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field

from arrears.business_days import EARLIEST, LATEST, supported

MAX_ID = 2**63 - 1  # a bigint primary key
MAX_INT = 2**31 - 1  # an integer column

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Int = Annotated[int, Field(ge=-MAX_INT - 1, le=MAX_INT)]


def _supported(value: dt.date) -> dt.date:
    if not supported(value):
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return value


Day = Annotated[dt.date, AfterValidator(_supported)]
Word = Annotated[str, Field(max_length=40)]  # a choice (channel, kind, method...), checked by the domain
Name = Annotated[str, Field(max_length=150)]  # a username, an account number
Ref = Annotated[str, Field(max_length=120)]  # a reference to a recording or a document
Text = Annotated[str, Field(max_length=4000)]  # notes, evidence, comments
