"""Groups as data: the fields a playbook declares for its groups, the values groups carry,
and the WeCom identities (a customer group's `chat_id`, an operator's userid).

What can be checked without the rest of the playbook is checked here and published in the
JSON Schema (the shape of a chat id, of a userid, of a field declaration). Whether a group's
value fits its declared field is a cross-document check: the lint rules in
`playbook.lint.groups` do it, with positions and did-you-mean.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from playbook.models.base import Model
from playbook.models.types import DATE_PATTERN, FieldValue, Id, Text

CHAT_ID_PATTERN = r"^wr[A-Za-z0-9_-]{10,64}$"
"""A WeCom customer-group id as the customer-contact API returns it, e.g.
`wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA`: `wr` and 10–64 letters, digits, `_` or `-`."""

WECOM_USERID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"
"""A WeCom member's userid as the admin console shows it: 1–64 letters, digits, `_`, `-`,
`@` or `.`, starting with a letter or digit (WeCom's own rule for creating members)."""

FieldType = Literal["text", "number", "date", "enum", "url"]
"""What kind of value a group field holds."""


def _shaped(kind: str, pattern: str, message: str) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not re.match(pattern, value):
            raise PydanticCustomError(kind, message, {"value": str(value)})
        return value
    return check


ChatId = Annotated[
    str,
    PlainValidator(_shaped("chat_id", CHAT_ID_PATTERN,
                           "'{value}' is not a WeCom customer-group chat_id: 'wr' followed by "
                           "10-64 letters, digits, '_' or '-', e.g. wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA")),
    WithJsonSchema({"type": "string", "pattern": CHAT_ID_PATTERN,
                    "description": "A WeCom customer-group chat_id, e.g. wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA."}),
]

WecomUserId = Annotated[
    str,
    PlainValidator(_shaped("wecom_userid", WECOM_USERID_PATTERN,
                           "'{value}' is not a WeCom userid: 1-64 letters, digits, '_', '-', '@' "
                           "or '.', starting with a letter or digit")),
    WithJsonSchema({"type": "string", "pattern": WECOM_USERID_PATTERN,
                    "description": "A WeCom member's userid, as in the admin console."}),
]


class GroupField(Model):
    """A field every roster group may (or must) carry, e.g. its store, city or tier."""

    id: Id
    """Short id, read by templates as `{{ group.fields.<id> }}` and by selectors."""
    name: Text
    """Its display name, e.g. 门店."""
    type: FieldType = "text"
    """What it holds: text, a number, a date (YYYY-MM-DD), one of `values` (enum) or an https URL."""
    values: list[str] = []
    """For an enum: the values allowed."""
    required: bool = False
    """Whether every group must carry it."""
    description: Text | None = None
    """What it means and where the value comes from."""

    @model_validator(mode="after")
    def _values_for_enums(self) -> GroupField:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum field needs `values`")
        if self.type != "enum" and self.values:
            raise ValueError("`values` is only for an enum field")
        if len(set(self.values)) != len(self.values):
            raise ValueError("an enum value is listed twice")
        return self


GroupTag = Annotated[str, Field(min_length=1, max_length=64)]
"""A free label on a group, e.g. 母婴 or 试点."""


def field_matches(declared: GroupField, value: object) -> str | None:
    """Why `value` does not fit `declared`, or None when it does."""
    if declared.type == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"'{value}' is not a number"
    if declared.type == "date":
        return None if _is_day(value) else f"'{value}' is not a date (YYYY-MM-DD)"
    if not isinstance(value, str):
        return f"'{value}' is not text"
    if declared.type == "url" and not re.match(r"^https://\S+$", value):
        return f"'{value}' is not an https URL"
    if declared.type == "enum" and value not in declared.values:
        return f"'{value}' is not one of the declared values ({', '.join(declared.values)})"
    return None


def _is_day(value: object) -> bool:
    """A real calendar day, as the loader keeps it (text) or as Python gives it (a date)."""
    if isinstance(value, dt.date):
        return True
    if not isinstance(value, str) or not re.fullmatch(DATE_PATTERN[1:-1], value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def comparable(value: object) -> object:
    """A field value as selectors compare it: dates as YYYY-MM-DD, numbers as numbers."""
    return value.isoformat() if isinstance(value, dt.date) else value


__all__ = ["CHAT_ID_PATTERN", "WECOM_USERID_PATTERN", "ChatId", "FieldType", "FieldValue",
           "GroupField", "GroupTag", "WecomUserId", "comparable", "field_matches"]
