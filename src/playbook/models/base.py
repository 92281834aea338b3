"""What every document has in common, and the small parts several kinds share."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from playbook.models.types import Id, SemVer, Text

API_VERSION = "playbook/v1"


class Model(BaseModel):
    """Base for every model: unknown keys are refused, values are frozen after loading,
    and each field's docstring becomes its description in the schema and the handbook."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=False,
        strict=True,  # `yes` is not true and '200' is not 200: the same as the published schema
    )


class Document(Model):
    """The header every playbook document starts with."""

    api_version: Literal["playbook/v1"] = Field(alias="apiVersion")
    """The format version of this document; `playbook/v1` today."""
    id: Id
    """A short id other documents use to point at this one, e.g. `base-rules`."""
    version: SemVer
    """The version of this document's content (MAJOR.MINOR.PATCH). Bump it on every change."""
    title: Text
    """The name shown to operators in the handbook."""
    owner: str = Field(min_length=1)
    """Who is responsible for this document: an operator id or a team name."""
    description: Text | None = None
    """A sentence or two on what this document is for."""


class Scope(Model):
    """Which groups something applies to. An empty scope applies to every group."""

    group_types: list[Id] = []
    """Group types (ids from playbook.yaml) this applies to."""
    layers: list[Id] = []
    """Layers of the pyramid (ids from playbook.yaml) this applies to."""
    groups: list[Id] = []
    """Individual groups from the roster this applies to."""


Channel = Literal[
    "group_message", "announcement", "private_message", "moments_post", "auto_reply",
    "phone_call", "ad_placement", "landing_page", "live_session", "backoffice",
]
"""Where a message goes: a group message, the group announcement, a one-to-one private
message, a Moments post, an automatic reply, a phone call, an ad placement, a landing page,
a text live session in the group, or a back-office record."""


class MessageContent(Model):
    """A message: inline Jinja2 text or a template file, plus attachments."""

    text: Text | None = None
    """The message as Jinja2 text, e.g. `欢迎 {{ member.nickname }} 加入 {{ group.name }}!`."""
    template: str | None = None
    """Instead of `text`: a template file under `templates/`, e.g. `messages/welcome.j2`."""
    attachments: list[str] = []
    """Files sent with the message (images, posters, videos), relative to this document's folder."""

    @model_validator(mode="after")
    def _one_body(self) -> MessageContent:
        if self.text is not None and self.template is not None:
            raise ValueError("give either `text` or `template`, not both")
        return self


class MetricTarget(Model):
    """The figure that shows whether an action worked, and the value aimed for."""

    metric: Id
    """A metric id from playbook.yaml, e.g. `gmv`, `bounce-rate`, `completion-rate`."""
    target: str | None = None
    """The value aimed for, as written by the team, e.g. `≥ 60%` or `30 orders`."""
