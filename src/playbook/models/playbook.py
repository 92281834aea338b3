"""`Playbook` (playbook.yaml) and `Roster` (roster.yaml): the community map.

The playbook names the platforms in use, the layers of the pyramid, how members are
classified and admitted, the roles, the group types with their lifecycle, the operators,
and (here or in roster.yaml) the real groups.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from playbook.models.base import Document, MetricTarget, Model
from playbook.models.fields import ChatId, GroupField, GroupTag, WecomUserId
from playbook.models.holidays import Holidays
from playbook.models.lifecycle import ExitRule, Measure, MetricsFile
from playbook.models.types import (
    ClassRef,
    ClockTime,
    Date,
    Duration,
    FieldValue,
    Id,
    Locale,
    Text,
    TimeZoneName,
    UniqueIds,
)

PlatformKind = Literal[
    "wechat_group", "wecom_customer_group", "wecom_group_robot", "qq_group", "dingtalk_group",
    "personal_account", "moments", "service_account", "subscription_account", "mini_program",
]
"""The carriers a community runs on: WeChat group, WeCom customer group, WeCom group robot
(webhook), QQ group, DingTalk
group, personal account ("personal IP"), Moments, service account, subscription account,
mini program."""

RoleKind = Literal["official", "owner", "operator", "kol", "koc", "guest"]
"""Who speaks: the official account, the group owner, an operator (admin), a KOL (opinion
leader drawn from the upper layers), a KOC (an active member who recommends from experience)
or a guest speaker. Every role is a real, declared account; personas are not modelled."""

Positioning = Literal[
    "shopping_guide", "welfare", "after_sales", "vip", "kol_circle", "training_camp",
    "learning_check_in", "conversion", "retention", "core_members", "team_management",
]
"""What a group is for. Positioning drives its rules, scripts and calendar."""

StageKind = Literal["strong", "daily", "weak"]
"""Lifecycle stage: early strong operation, middle daily operation, late weak operation."""


class Platform(Model):
    """A platform in use, with any limits this playbook overrides.

    Limits not given here come from the tool's shipped platform data (see
    `playbook/data/platforms.yaml`), which cites its sources.
    """

    id: PlatformKind
    """Which platform."""
    max_members: int | None = Field(default=None, gt=0)
    """Largest group size allowed on this platform."""
    qr_join_max_members: int | None = Field(default=None, gt=0)
    """Past this many members, joining by QR code stops and members must be invited."""
    message_max_bytes: int | None = Field(default=None, gt=0)
    """Longest text message, counted in UTF-8 bytes."""
    max_attachments: int | None = Field(default=None, ge=0)
    """Most attachments one message may carry."""
    announcement_by: list[RoleKind] | None = None
    """Roles allowed to post the group announcement."""
    can_mute: bool | None = None
    """Whether members can be muted."""
    placeholders: dict[str, str] | None = None
    """How this platform writes personalisation placeholders, e.g. nickname: '%NICKNAME%'."""
    posts_per_day_min: int | None = Field(default=None, ge=0)
    """Fewest posts a day an account should make here (Moments: 2 by default)."""
    posts_per_day_max: int | None = Field(default=None, gt=0)
    """Most posts a day an account should make here (Moments: 3 by default)."""
    note: str | None = None
    """Why these values differ from the defaults (a source, a contract, a test)."""


class Metric(Model):
    """A figure the team tracks, named by steps, slots and packs."""

    id: Id
    """The id steps refer to, e.g. `gmv`."""
    name: Text
    """Its name, e.g. 成交额 (GMV)."""
    unit: str | None = None
    """Its unit, e.g. CNY, %, people."""
    description: Text | None = None
    """How it is measured."""
    measure: Measure | None = None
    """How `playbook audit` computes it from a metrics export, e.g. `{figure: active_members,
    per: members}` for an activity rate; without it, targets on this metric are text only."""


class Layer(Model):
    """One layer of the pyramid, e.g. top / middle / base users, or to-be-converted / pool / core."""

    id: Id
    """Short id, e.g. `middle`."""
    name: Text
    """Its name, e.g. 中层用户."""
    rank: int = Field(ge=1)
    """Position in the pyramid: 1 is the top."""
    audience: Text
    """Who belongs here."""
    goal: Text
    """What the layer is operated for (conversion in about 7 days, long-term retention, …)."""
    size_hint: str | None = None
    """How many people the layer is meant for, e.g. '~100 per cohort' or '< 1,000'."""
    tools: list[PlatformKind] = []
    """The tool combination used for this layer."""
    metrics: list[MetricTarget] = []
    """The figures that show the layer is healthy."""


class ClassValue(Model):
    """One value of a classification dimension, e.g. `pharmacy` for identity."""

    id: Id
    """Short id used in admission rules as `dimension:value`."""
    name: Text
    """Its name."""


class Dimension(Model):
    """A way to classify members: identity type, source channel, region, …"""

    id: Id
    """Short id, e.g. `identity`."""
    name: Text
    """Its name, e.g. 身份类型."""
    values: Annotated[list[ClassValue], UniqueIds] = Field(min_length=1)
    """The possible values."""


class Admission(Model):
    """Who may join and who may not."""

    admit: list[ClassRef] = []
    """Classes admitted (empty: everyone not refused)."""
    refuse: list[ClassRef] = []
    """Classes refused, e.g. `identity:consumer` in a B2B group."""
    must_not_share: list[list[ClassRef]] = []
    """Sets of classes whose interests conflict, so they never share a group."""
    note: Text | None = None
    """How eligibility is checked in practice."""


class Classification(Model):
    """How members are classified and admitted across the playbook."""

    dimensions: Annotated[list[Dimension], UniqueIds] = []
    """The classification dimensions."""
    admission: Admission = Admission()
    """The playbook-wide admission policy."""


class Role(Model):
    """A role that sends messages or enforces rules."""

    id: Id
    """Short id used as `sender` and `enforcer`, e.g. `kol-patrol`."""
    kind: RoleKind
    """What kind of role this is."""
    name: Text
    """Its name, e.g. 官方小助手."""
    duties: list[Text] = []
    """What this role does."""
    drawn_from: list[Id] = []
    """Layers this role is selected from (KOLs come from the middle and top layers)."""


class Stage(Model):
    """A stage in a group's life, with how long it lasts and when it ends."""

    id: Id | None = None
    """Short id, for a type with two stages of one kind (e.g. `warm-up` and `camp`, both
    strong); selectors and a group's `stage` can name a stage by its id or by its kind."""
    kind: StageKind
    """Strong, daily or weak operation."""
    name: Text
    """Its name, e.g. 强运营期."""
    duration: Duration | None = None
    """How long it lasts, e.g. 30d; empty for open-ended."""
    activities: list[Text] = []
    """What happens in this stage."""
    exit_criteria: list[Text] = []
    """When the group moves on (or is disbanded), in words."""
    exit_rules: list[ExitRule] = []
    """The same as data `playbook audit` checks against real figures, e.g. `{when: [{metric:
    activity-rate, below: 5, window: 7d, lasting: 14d}], action: disband}`; the first rule
    that holds decides."""


class GroupType(Model):
    """A kind of group: what it is for, who is in it, where it runs and how it ages."""

    id: Id
    """Short id, e.g. `middle-official`."""
    name: Text
    """Its name, e.g. 中层官方群."""
    positioning: Positioning
    """What the group is for."""
    purpose: Text
    """One or two sentences on the value the group gives its members."""
    layer: Id | None = None
    """The layer its members come from."""
    platform: PlatformKind
    """Where the group runs."""
    admission: Admission = Admission()
    """Who may join this type of group (adds to the playbook-wide policy)."""
    target_size: int = Field(gt=0)
    """How many members the group aims for."""
    lifecycle: list[Stage] = []
    """Its stages, in order. A group enters the first on the day it opens and moves on when a
    stage's `duration` has passed; a stage without a duration lasts until the roster says
    otherwise (`stage` on the group)."""
    metrics: list[MetricTarget] = []
    """The figures that show the group works."""


class Operator(Model):
    """A person who runs groups."""

    id: Id
    """Short id, used as a group's owner."""
    name: str = Field(min_length=1)
    """Their name or work alias."""
    capacity: int = Field(default=30, gt=0)
    """How many groups they can run (usually 20–30; a strong operator up to 50)."""
    friend_adds_per_day: int = Field(default=80, gt=0)
    """Friend requests their personal account can safely accept per day (50–100)."""
    wecom_userid: WecomUserId | None = None
    """Their WeCom userid (as the admin console shows it), which posting through WeCom needs."""


class StagePin(Model):
    """The stage a group entered on a known day, when it did not simply follow its type's
    durations from `opened` (a stage held longer, a move to weak operation decided early)."""

    id: Id | None = None
    """The stage's id in the group type's lifecycle."""
    kind: StageKind | None = None
    """Instead of `id`: the stage's kind (the first stage of that kind)."""
    since: Date
    """The day the group entered it; later stages follow from their durations again."""

    @model_validator(mode="after")
    def _one_name(self) -> StagePin:
        if (self.id is None) == (self.kind is None):
            raise ValueError("name the stage by `id` or by `kind`, one of them")
        return self


class Group(Model):
    """A real group in the roster."""

    id: Id
    """Short id, e.g. `sh-middle-01`."""
    name: str = Field(min_length=1)
    """The group's name as members see it."""
    type: Id
    """Its group type."""
    platform: PlatformKind | None = None
    """Where it runs, when different from its type's platform."""
    operator: Id
    """The operator who owns it."""
    opened: Date
    """The day it opened; onboarding programmes count from here."""
    stage: StagePin | None = None
    """The stage the group is in since a given day, when it differs from what `opened` and
    the type's stage durations give, e.g. `{kind: weak, since: 2026-12-01}`."""
    cohort_starts: list[Date] = []
    """Start dates of member cohorts, for programmes that restart per cohort."""
    size: int | None = Field(default=None, ge=0)
    """Members today, if known."""
    locale: Locale | None = None
    """Language of the group, when not the playbook's default."""
    fields: dict[Id, FieldValue] = {}
    """Values of the fields playbook.yaml declares in `group_fields`, e.g. `city: 广州`."""
    classes: list[ClassRef] = []
    """The group's classes (`dimension:value` from `classification`), e.g. `region:east`;
    admission rules are checked against them."""
    tags: list[GroupTag] = []
    """Free labels selectors can target, e.g. 母婴."""
    chat_id: ChatId | None = None
    """The WeCom customer group's chat_id, e.g. wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA."""
    robot: str | None = Field(default=None, min_length=1, max_length=64)
    """The name of the group robot (webhook) that posts in it, if any."""


class QuietHours(Model):
    """Hours in which nothing is posted."""

    start: ClockTime = "22:00"
    """When quiet hours begin."""
    end: ClockTime = "08:00"
    """When they end (the next morning if earlier than the start)."""


class AllowedTerm(Model):
    """A word or phrase that may appear although it contains an absolute advertising term."""

    term: str = Field(min_length=1)
    """The phrase allowed as written, e.g. 第一步 (a step number, not a ranking). The absolute
    terms inside it are not reported; allowing a bare term (第一) allows it everywhere."""
    reason: str | None = None
    """Why it is not an advertising claim; reviewers and compliance read this."""


class Settings(Model):
    """Playbook-wide limits the checks enforce."""

    max_pushes_per_day: int = Field(default=8, gt=0)
    """Most scheduled messages one group receives per day."""
    quiet_hours: QuietHours = QuietHours()
    """No sends inside these hours."""
    advertising_allow: list[AllowedTerm] = []
    """Phrases the advertising-wording check (PB701) lets through, each with a reason."""
    expiry_warning_days: int = Field(default=30, ge=0, le=366)
    """How many days before a calendar's `valid.end` the expiry check (PB407) starts to warn,
    so a new calendar is written in time; 0 warns only once it has expired."""


class Playbook(Document):
    """The root of a playbook: playbook.yaml."""

    kind: Literal["Playbook"]
    """Always `Playbook`."""
    locales: list[Locale] = Field(default=["zh-CN"], min_length=1)
    """Languages content is written in; the first is the default."""
    time_zone: TimeZoneName = "Asia/Shanghai"
    """Time zone for every clock time in the playbook."""
    currency: str = "CNY"
    """Currency of prices and profits."""
    platforms: Annotated[list[Platform], UniqueIds] = Field(min_length=1)
    """The platforms in use, with any limits overridden."""
    metrics: Annotated[list[Metric], UniqueIds] = []
    """The figures the team tracks."""
    layers: Annotated[list[Layer], UniqueIds] = []
    """The layers of the pyramid, top first."""
    classification: Classification = Classification()
    """How members are classified and admitted."""
    roles: Annotated[list[Role], UniqueIds] = Field(min_length=1)
    """The roles that send messages and enforce rules."""
    group_types: Annotated[list[GroupType], UniqueIds] = Field(min_length=1)
    """The kinds of group this playbook runs."""
    group_fields: Annotated[list[GroupField], UniqueIds] = []
    """The fields roster groups carry (store, city, tier, …), for messages and selectors."""
    operators: Annotated[list[Operator], UniqueIds] = []
    """The people who run groups."""
    groups: Annotated[list[Group], UniqueIds] = []
    """The roster of real groups (or put them in roster.yaml)."""
    holidays: Holidays | None = None
    """The one holiday calendar every activity calendar follows: statutory holidays and
    make-up workdays from a maintained package, with this playbook's additions and removals."""
    settings: Settings = Settings()
    """Limits the checks enforce."""
    metrics_file: MetricsFile = MetricsFile()
    """Where `playbook audit` finds each figure in a per-group daily metrics export."""


class Roster(Document):
    """The roster of real groups, kept apart from playbook.yaml: roster.yaml."""

    kind: Literal["Roster"]
    """Always `Roster`."""
    groups: Annotated[list[Group], UniqueIds] = Field(min_length=1)
    """The groups."""
