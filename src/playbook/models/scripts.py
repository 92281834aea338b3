"""`OnboardingScript` (scripts/*.yaml): timed steps from before the group to the end of a
newcomer programme, including the app-to-group funnel and the join ceremony."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from playbook.models.base import Channel, Document, MessageContent, MetricTarget, Model, Scope
from playbook.models.routes import Routes
from playbook.models.types import Id, Offset, Text, UniqueIds

TriggerKind = Literal["before_group", "on_join", "programme", "funnel"]
"""What starts the script: preparation before a group opens, a member joining, an N-day
programme (from the group's opening or a cohort start), or an acquisition funnel."""

StepPurpose = Literal[
    "account_setup", "moments_upkeep", "invitation", "eligibility_check", "welcome",
    "nickname", "self_introduction", "benefit", "ice_breaker", "newcomer_qa", "lesson",
    "check_in", "task", "promotion", "screening", "ad_placement", "guide_page",
    "jump_to_wechat", "add_friend_reply", "audit_record", "admission", "review", "other",
]
"""What a step is for; the handbook groups and labels steps by it."""


class Trigger(Model):
    """What starts the script."""

    kind: TriggerKind
    """The kind of trigger."""
    days: int | None = Field(default=None, ge=1, le=366)
    """For a programme: how many days it runs (7, 21, 30, …)."""
    anchor: Literal["group_opened", "cohort_start", "member_joined"] | None = None
    """For a programme: what day 1 is."""

    @model_validator(mode="after")
    def _programme_has_days(self) -> Trigger:
        if self.kind == "programme" and self.days is None:
            raise ValueError("a programme trigger needs `days`")
        return self


class Question(Model):
    """One newcomer question and its answer."""

    question: Text
    """What newcomers ask."""
    answer: Text
    """The answer."""


class Step(MessageContent):
    """One step of a script."""

    id: Id
    """Short id, e.g. `welcome`."""
    name: Text
    """What the step is called in the handbook."""
    purpose: StepPurpose = "other"
    """What the step is for."""
    at: Offset
    """When, relative to the trigger: `+0m`, `+10m`, `day 2 09:00`, `-1d`."""
    channel: Channel
    """Where the message goes."""
    sender: Id
    """The role that sends it."""
    metric: MetricTarget | None = None
    """The figure that shows this step worked (e.g. bounce rate at the jump)."""
    checks: list[Text] = []
    """For eligibility and audit steps: what is checked."""
    faq: list[Question] = []
    """For a newcomer Q&A: the questions and answers."""
    nickname_template: str | None = None
    """For the nickname step: the pattern members rename themselves to, e.g. 地区-身份-名字."""
    keywords: list[str] = []
    """For an auto-reply: the words that trigger it."""
    note: Text | None = None
    """A hint for the operator carrying out the step."""
    applies_to: Scope | None = None
    """Only in some of the groups the document reaches: those this selector reaches too,
    e.g. `{classes: [region:east]}`."""
    routes: Routes | None = None
    """How it may be posted, most preferred first: `wecom_group_send`, `wecom_robot`,
    `manual`. Empty: the document's `routes`."""


class OnboardingScript(Document):
    """An onboarding script: a trigger and ordered, timed steps."""

    kind: Literal["OnboardingScript"]
    """Always `OnboardingScript`."""
    trigger: Trigger
    """What starts it."""
    applies_to: Scope = Scope()
    """Which groups it runs in."""
    routes: Routes | None = None
    """How its items may be posted unless an item says otherwise, most preferred first, e.g.
    `[wecom_robot, manual]`. Empty: by hand (`manual`)."""
    next: list[Id] = []
    """Scripts a member moves on to afterwards (training camp → second purchase → …)."""
    steps: Annotated[list[Step], UniqueIds] = Field(min_length=1)
    """The steps, in order."""
