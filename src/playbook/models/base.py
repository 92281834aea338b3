"""What every document has in common, and the small parts several kinds share."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from playbook.models.types import ClassRef, Duration, FieldValue, Id, SemVer, Text, UniqueIds

API_VERSION = "playbook/v1"


class Model(BaseModel):
    """Base for every model: unknown keys are refused, values are frozen after loading,
    and each field's docstring becomes its description in the schema and the handbook."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=False,
        # a model's validator is built when first used, not on import: a check after an edit
        # validates one document or none (the others come validated from the state)
        defer_build=True,
        strict=True,  # `yes` is not true and '200' is not 200: the same as the published schema
    )

    def model_post_init(self, context: Any, /) -> None:
        """Share the set of the fields given with every other instance that was given the same
        ones. Pydantic keeps one such set per instance, and a large playbook has some 130,000
        instances: one set each was a fifth of its memory. Safe because the models are frozen
        (nothing adds to the set) and `model_copy` copies the set before it changes it."""
        given = self.__pydantic_fields_set__
        key = (type(self), frozenset(given))
        shared = _FIELDS_GIVEN.get(key)
        if shared is None:
            _FIELDS_GIVEN[key] = given
        else:
            object.__setattr__(self, "__pydantic_fields_set__", shared)


_FIELDS_GIVEN: dict[tuple[type[Model], frozenset[str]], set[str]] = {}
"""Every distinct set of fields given to a model so far: a few hundred."""


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
    """Which groups something applies to: a selector. An empty selector applies to every group.

    `types`, `layers` and `groups` name groups by structure, as they always did: a group
    named by any of them is in. `classes`, `fields` and `tags` then narrow that down: each one
    given must match (any of its values will do). So `{types: [middle-official], classes:
    [region:east]}` is the middle official groups of the east region, and `{fields: {city:
    [广州, 佛山]}}` every group in Guangzhou or Foshan. `stages` narrows by time: a group is
    reached only on the days it is in one of the stages named.
    """

    types: list[Id] = []
    """Group types (ids from playbook.yaml) this applies to."""
    group_types: list[Id] = []
    """The same as `types` (the older spelling, still accepted)."""
    layers: list[Id] = []
    """Layers of the pyramid (ids from playbook.yaml) this applies to."""
    groups: list[Id] = []
    """Individual groups from the roster this applies to."""
    classes: list[ClassRef] = []
    """Only groups that hold one of these classes (`dimension:value`, e.g. `region:east`)."""
    fields: dict[Id, Annotated[list[FieldValue], Field(min_length=1)]] = {}
    """Only groups whose field has one of the listed values, for each field named, e.g.
    `city: [广州, 佛山]`."""
    tags: list[str] = []
    """Only groups that carry one of these tags."""
    stages: list[Id] = []
    """Only while a group is in one of these lifecycle stages, named by kind (`strong`,
    `daily`, `weak`) or by a stage's id, e.g. `[strong, daily]` to pause an item in weak
    operation. The stage is taken on each send's day."""

    @property
    def all_types(self) -> list[str]:
        """`types` and `group_types` together."""
        return [*self.types, *self.group_types]

    @property
    def is_empty(self) -> bool:
        """Whether this selector names nothing, and so reaches every group."""
        return not (self.types or self.group_types or self.layers or self.groups or self.classes
                    or self.fields or self.tags or self.stages)


Channel = Literal[
    "group_message", "announcement", "private_message", "moments_post", "auto_reply",
    "phone_call", "ad_placement", "landing_page", "live_session", "backoffice",
    "service_account_post",
]
"""Where a message goes: a group message, the group announcement, a one-to-one private
message, a Moments post, an automatic reply, a phone call, an ad placement, a landing page,
a text live session in the group, a back-office record, or a service-account post (推文 to
its followers)."""


class Variant(Model):
    """One text of a message among several: an A/B variant, or the text for some groups."""

    id: Id
    """Short id, shown in bundles (`variant`) and the handbook, e.g. `a` or `east`."""
    text: Text | None = None
    """The variant as Jinja2 text."""
    template: str | None = None
    """Instead of `text`: a template file under `templates/`."""
    when: Scope | None = None
    """Only for the groups this selector reaches; the first variant whose `when` matches wins.
    Variants without `when` share the other groups, each group getting one by a stable hash of
    the message and group ids."""

    @model_validator(mode="after")
    def _one_body(self) -> Variant:
        if (self.text is None) == (self.template is None):
            raise ValueError("a variant needs either `text` or `template`")
        return self


class MessageContent(Model):
    """A message: inline Jinja2 text or a template file, plus attachments."""

    text: Text | None = None
    """The message as Jinja2 text, e.g. `欢迎 {{ member.nickname }} 加入 {{ group.name }}!`."""
    template: str | None = None
    """Instead of `text`: a template file under `templates/`, e.g. `messages/welcome.j2`."""
    attachments: list[str] = []
    """Files sent with the message (images, posters, videos), relative to this document's folder."""
    variants: Annotated[list[Variant], UniqueIds] = []
    """Other texts of this message; each group gets one (see `Variant.when`). With variants
    for only some groups (all with `when`), `text` or `template` is what the others get."""

    @model_validator(mode="after")
    def _one_body(self) -> MessageContent:
        if self.text is not None and self.template is not None:
            raise ValueError("give either `text` or `template`, not both")
        if self.variants:
            shared = any(v.when is None for v in self.variants)
            own = self.text is not None or self.template is not None
            if shared and own:
                raise ValueError("with variants that have no `when`, the message's own text is "
                                 "never sent: make it a variant")
            if not shared and not own:
                raise ValueError("every variant has `when`: give the message a `text` (or a "
                                 "variant without `when`) for the other groups")
        return self


class MetricTarget(Model):
    """The figure that shows whether an action worked, and the value aimed for."""

    metric: Id
    """A metric id from playbook.yaml, e.g. `gmv`, `bounce-rate`, `completion-rate`."""
    target: str | None = None
    """The value aimed for, as written by the team, e.g. `≥ 60%` or `30 orders`."""
    at_least: float | None = None
    """The same target as a number the figure must reach, in the metric's unit (a percentage
    as 0–100, so 60 for 60%), e.g. `60`. `playbook audit` checks it against real figures."""
    at_most: float | None = None
    """A number the figure must stay at or below, e.g. `40` for a bounce rate of at most 40%."""
    window: Duration | None = None
    """Over how many days the figure is taken, e.g. `7d` or `30d` (default: one day); amounts
    and counts are summed over it, rates are the ratio of the sums."""

    @model_validator(mode="after")
    def _typed(self) -> MetricTarget:
        from playbook.models.lifecycle import whole_days  # it builds on this module's Model

        if self.window is not None and self.at_least is None and self.at_most is None:
            raise ValueError("a `window` needs a typed target: give `at_least` or `at_most`")
        if self.window is not None and whole_days(self.window) is None:
            raise ValueError(f"the window '{self.window}' is not whole days; write e.g. 7d")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(f"`at_least` ({self.at_least:g}) is above `at_most` ({self.at_most:g}): "
                             "no figure can meet both")
        return self

