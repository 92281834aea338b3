"""The field reference: every document kind and the models inside it, each field with its
type and the docstring written for operators (the same text the JSON Schemas carry)."""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass

from pydantic import BaseModel

from playbook.models import KINDS


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class ModelDoc:
    name: str
    description: str
    fields: list[Field]


def _inner_models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _inner_models(arg)]


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args) if len(args) <= 4 else f"one of {len(args)} values"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if isinstance(annotation, type):
        return {"str": "text", "int": "whole number", "float": "number", "bool": "true/false",
                "date": "date"}.get(annotation.__name__, annotation.__name__)
    return re.sub(r"typing\.", "", str(annotation))


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def models() -> list[ModelDoc]:
    """Each document kind, then each model reached from it (first reached first), once."""
    seen: dict[type[BaseModel], None] = {}
    queue: list[type[BaseModel]] = list(KINDS.values())
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen[model] = None
        for info in model.model_fields.values():
            queue += _inner_models(info.annotation)
    found = []
    for model in seen:
        fields = [Field(info.alias or name, _type_name(info.annotation), info.is_required(),
                        " ".join((info.description or "").split()))
                  for name, info in model.model_fields.items()]
        found.append(ModelDoc(model.__name__.rstrip("_"), _doc(model), fields))
    return found
