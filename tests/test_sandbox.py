"""The sandbox itself refuses attribute escapes (issue 19).

Each payload reaches a real Python object in the render context, so a plain `jinja2.Environment`
renders it (that is checked too: the test could fail), and `MessageEnvironment` must refuse it
with `SecurityError` — not with an `UndefinedError` for a name that is simply missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jinja2 import Environment, StrictUndefined
from jinja2.exceptions import SecurityError, UndefinedError

from playbook.render import MessageEnvironment, render


class GroupObject:
    """A group as an object with a Python `__init__` (its `__globals__` are this module's)."""

    def __init__(self, name: str) -> None:
        self.name = name


def _numbers() -> Iterator[int]:
    yield 1


def context() -> dict[str, Any]:
    """Fresh real objects for every render: a mutation by one payload must not leak into the next."""
    return {"group": GroupObject("中层一群"), "render": render, "gen": _numbers(), "cls": GroupObject,
            "members": ["小王"], "settings": {"owner": "ops"}}


PAYLOADS = [
    "{{ group.__init__.__globals__ }}",
    "{{ render.__globals__ }}",
    "{{ render.__globals__['__builtins__'] }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ '{0.__init__.__globals__}'.format(group) }}",
    "{{ '{g.__class__}'.format_map({'g': group}) }}",
    "{{ cls.mro() }}",
    "{{ gen.gi_frame.f_globals }}",
    "{{ gen.gi_code }}",
    "{{ render.__code__.co_consts }}",
    "{{ members.append('x') }}",
    "{{ settings.update({'owner': 'attacker'}) }}",
    "{{ settings.pop('owner') }}",
]


@pytest.mark.parametrize("source", PAYLOADS)
def test_a_plain_environment_would_run_the_payload(source: str) -> None:
    """The control: without a sandbox the same payload reaches its object and renders."""
    out = Environment(undefined=StrictUndefined).from_string(source).render(context())
    assert out != ""


@pytest.mark.parametrize("source", PAYLOADS)
def test_the_sandbox_refuses_the_payload(source: str) -> None:
    values = context()
    with pytest.raises(SecurityError):
        render(source, values)
    assert values["members"] == ["小王"] and values["settings"] == {"owner": "ops"}


def test_str_format_is_the_sandboxes_own() -> None:
    """`str.format` is swapped for the sandbox's checked formatter, a function without `__self__`:
    the bound string (and through it `str`) cannot be reached."""
    source = "{{ group.name.format.__self__ }}"
    assert Environment().from_string(source).render(context()) == "中层一群"
    with pytest.raises(UndefinedError, match="'function object' has no attribute '__self__'"):
        render(source, context())


def test_the_sandbox_still_renders_the_same_objects_safely() -> None:
    """Refusal is by attribute, not by object: the ordinary fields of the same objects render."""
    env = MessageEnvironment()
    assert render("{{ group.name }} · {{ members | join(',') }} · {{ settings.owner }}", context(),
                  env) == "中层一群 · 小王 · ops"
