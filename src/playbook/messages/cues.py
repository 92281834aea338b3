"""Posting cues every human format shows beside a message's text: who receives it when it is
not the group itself, and what to attach. One wording, so the run sheet, the CSV and the
spreadsheet agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playbook.models.project import Project

if TYPE_CHECKING:
    from playbook.messages.compose import Message

_TRIGGER_RECIPIENTS = {
    "on_join": "the member who just joined",
    "before_group": "each invitee, before the group opens",
    "funnel": "the lead who added the account",
    "programme": "each member in the programme",
}
_CHANNEL_RECIPIENTS = {
    "group_message": "",
    "live_session": "",
    "announcement": "the group announcement (set it, do not post it)",
    "moments_post": "your Moments (朋友圈), not the group",
    "auto_reply": "whoever triggers the auto-reply",
    "phone_call": "a phone call",
    "backoffice": "the back office (nothing is posted)",
    "ad_placement": "the ad placement",
    "landing_page": "the landing page",
    "service_account_post": "the service account's followers (推送), not the group",
}


def recipient(project: Project, m: Message) -> str:
    """Who receives `m` when it is not the group chat itself; empty for a group message."""
    if m.channel != "private_message":
        return _CHANNEL_RECIPIENTS.get(m.channel, m.channel)
    who = "each member of the group"
    if m.source.kind == "OnboardingScript":
        script = project.scripts.get(m.source.doc_id)
        if script is not None:
            who = _TRIGGER_RECIPIENTS.get(script.trigger.kind, who)
    return f"private message to {who}, one by one"


def attach_cue(m: Message) -> str:
    """What to attach, in a few words: `1 image + 1 video`, empty without attachments."""
    counts: dict[str, int] = {}
    for a in m.attachments:
        counts[a.media_kind] = counts.get(a.media_kind, 0) + 1
    return " + ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in counts.items())


__all__ = ["attach_cue", "recipient"]
