"""Walk the models inside a document, with the JSON pointer of each, for checks and lints."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel

from playbook.source import escape_token


def models_in(obj: Any, ptr: str = "") -> Iterator[tuple[str, BaseModel]]:
    """Every model inside `obj` (itself included), depth first, with its JSON pointer."""
    if isinstance(obj, BaseModel):
        yield ptr, obj
        for name, token in _model_fields(type(obj)):
            value = getattr(obj, name)
            if value is not None:
                yield from models_in(value, f"{ptr}/{token}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from models_in(item, f"{ptr}/{i}")


@cache
def _model_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(attribute, escaped pointer token) of the fields of `model` that can hold a model;
    text, numbers and dates are never walked (most of a document's fields)."""
    return tuple((name, escape_token(info.alias or name)) for name, info in model.model_fields.items()
                 if _may_hold_model(info.annotation))


def _may_hold_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    if annotation is Any or isinstance(annotation, typing.TypeVar):
        return True
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        args = args[:1]
    return any(_may_hold_model(arg) for arg in args) if args else False


__all__ = ["models_in"]
