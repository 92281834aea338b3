"""Every apiVersion this tool has published, oldest first.

It sits with the models because validation needs it (an older apiVersion gets "run `playbook
migrate`" rather than "unknown"), and the models must not import `migrate/`, which is built on
them. `migrate/` reads it from here.
"""

from __future__ import annotations

from playbook.models.base import API_VERSION

VERSIONS: tuple[str, ...] = ("playbook/v1alpha1", API_VERSION)
"""Every apiVersion ever published, oldest first; the last is the one the models read."""
CURRENT = VERSIONS[-1]
