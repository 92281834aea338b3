"""`MaterialPack` (packs/<id>/pack.yaml): a hot product, why it was chosen, how it is pitched,
its materials, and the launch timeline relative to the launch time."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from playbook.models.base import Channel, Document, MessageContent, MetricTarget, Model, Scope
from playbook.models.routes import Routes
from playbook.models.types import Id, LocalDateTime, Money, Offset, Text, UniqueIds

MaterialKind = Literal["text", "image", "video", "interactive", "sales_gameplay", "offline"]
"""What a material is: copy, picture, video, interactive gameplay, sales gameplay, or an
offline interaction."""

Phase = Literal[
    "warm_up", "launch", "battle_report", "top_list", "second_wave", "afternoon_stimulus",
    "closing_review", "summary_note",
]
"""The phases of a launch: warm-up, launch, battle reports, top-sellers list, second wave,
afternoon stimulus, closing review, and the shareable summary note."""


class Product(Model):
    """The product being pushed."""

    name: Text
    """Product name."""
    brand: Text
    """Brand."""
    price: Money
    """Price to buyers."""
    sharer_profit: Money
    """What a sharer earns per sale."""
    season: Text | None = None
    """When it sells best, e.g. 秋冬."""
    sku: str | None = None
    """Internal product code."""


class Criterion(Model):
    """Whether the product meets one selection criterion, and why."""

    met: bool
    """Whether the criterion is met."""
    note: Text | None = None
    """The evidence."""


class Selection(Model):
    """Why this product can be a hot product."""

    fits_buyers: Criterion
    """It fits what the group's members buy."""
    in_season: Criterion
    """It is in season now."""
    repurchase: Criterion
    """It is bought again and again."""
    fast_moving: Criterion
    """It is a fast-moving consumer good."""
    brand_endorsement: Criterion
    """A known brand stands behind it."""
    margin: Criterion
    """It leaves enough profit for sharers."""


class Pitch(Model):
    """How the product is presented in the group, start to finish."""

    selling_points: list[Text] = Field(min_length=1)
    """The selling points."""
    brand: Text
    """The brand story."""
    endorsement: Text
    """Who vouches for it."""
    sharer_profit: Text
    """What sharers earn, in words."""
    top_reward: Text
    """What the top sellers win."""
    gameplay: Text
    """How buying or sharing is made a game."""


class Material(Model):
    """One material in the pack: text, a picture, a video, a gameplay description."""

    id: Id
    """Short id that timeline steps attach."""
    kind: MaterialKind
    """What it is."""
    title: Text
    """Its caption."""
    text: Text | None = None
    """Its text, for copy and gameplay."""
    file: str | None = None
    """A media file beside pack.yaml, e.g. `images/main.png`."""
    url: str | None = Field(default=None, pattern=r"^https://")
    """A link to the media, when it is hosted elsewhere (https only)."""

    @model_validator(mode="after")
    def _has_content(self) -> Material:
        if self.text is None and self.file is None and self.url is None:
            raise ValueError("a material needs `text`, `file` or `url`")
        return self


class Launch(Model):
    """When and where the product launches."""

    at: LocalDateTime
    """The launch moment, e.g. '2026-12-03 10:00', in the playbook's time zone."""
    audience: Scope
    """The groups the pack targets."""


class TimelineStep(MessageContent):
    """One step of the launch timeline."""

    id: Id
    """Short id, e.g. `first-battle-report`."""
    phase: Phase
    """Which phase of the launch."""
    at: Offset
    """When, relative to the launch: `D-1 20:00`, `+0m`, `+30m`, `+1h`."""
    channel: Channel = "group_message"
    """Where it goes."""
    sender: Id
    """The role that posts it."""
    materials: list[Id] = []
    """Materials of this pack posted with it."""
    metric: MetricTarget | None = None
    """The figure that shows this step worked."""
    applies_to: Scope | None = None
    """Only in some of the groups the document reaches: those this selector reaches too,
    e.g. `{classes: [region:east]}`."""
    routes: Routes | None = None
    """How it may be posted, most preferred first: `wecom_group_send`, `wecom_robot`,
    `manual`. Empty: the document's `routes`."""


class Review(Model):
    """The closing review of the launch."""

    metrics: list[MetricTarget] = Field(min_length=1)
    """The figures reviewed."""
    questions: list[Text] = []
    """What the team asks itself."""
    summary: Text | None = None
    """Template for the shareable summary note."""


class MaterialPack(Document):
    """A hot-product material pack, with its media files beside it."""

    kind: Literal["MaterialPack"]
    """Always `MaterialPack`."""
    product: Product
    """The product."""
    selection: Selection
    """Why it was chosen."""
    pitch: Pitch
    """How it is presented."""
    materials: Annotated[list[Material], UniqueIds] = Field(min_length=1)
    """Copy, pictures, videos and gameplay."""
    launch: Launch
    """When and for whom it launches."""
    timeline: Annotated[list[TimelineStep], UniqueIds] = Field(min_length=1)
    """The launch timeline, relative to the launch."""
    routes: Routes | None = None
    """How its items may be posted unless an item says otherwise, most preferred first, e.g.
    `[wecom_robot, manual]`. Empty: by hand (`manual`)."""
    review: Review
    """The closing review."""
