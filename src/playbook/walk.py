"""Walk the models inside a document, with the JSON pointer of each, for checks and lints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from playbook.source import join


def models_in(obj: Any, ptr: str = "") -> Iterator[tuple[str, BaseModel]]:
    """Every model inside `obj` (itself included), depth first, with its JSON pointer."""
    if isinstance(obj, BaseModel):
        yield ptr, obj
        for name, info in type(obj).model_fields.items():
            yield from models_in(getattr(obj, name), join(ptr, info.alias or name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from models_in(item, join(ptr, i))
