"""Posts on an account (the operator's Moments, the service account) that read a group's
values though they have no group (PB423). A rule of the message texts, so it runs beside the
other template rules and reads the messages they collect (`messages.contents`)."""

from __future__ import annotations

from collections.abc import Iterator

from playbook.lint.analysis import analyse
from playbook.lint.messages import contents
from playbook.lint.registry import Finding, rule
from playbook.models.project import Project
from playbook.schedule import ACCOUNT_CHANNELS


@rule("PB423", "account-post-reads-group", per_document=True)
def account_post_reads_group(project: Project) -> Iterator[Finding]:
    """A Moments or service-account post (`channel: moments_post`, `service_account_post`)
    reads the group: `group.name`, `group.fields.<id>` or any other `group` value.

    Why: such a post goes out once on an account (the operator's Moments, the service
    account), however many groups the item reaches, so there is no one group whose name or
    fields it could show; the bundle would print the first group's values to every reader.
    Write the text without the group, or post it in the groups (`channel: group_message`).

    Fails: `{{ group.name }}的朋友们` in a `moments_post` slot.
    Passes: the same slot saying `朋友们`, or reading `operator.name`.
    """
    for message in contents(project).messages:
        channel = message.channel
        if channel not in ACCOUNT_CHANNELS:
            continue
        for body in message.bodies:
            if body.source is None:
                continue
            found = {".".join(ref.path[:3] if ref.path[1:2] == ("fields",) else ref.path[:2]): ref.line
                     for ref in reversed(analyse(body.source).references) if ref.path[0] == "group"}
            if found:
                read = ", ".join(sorted(found))
                yield Finding(body.span, f"a {channel} reads {read} "
                              f"({body.where(min(found.values()))}), but it is posted once on an "
                              "account and has no group",
                              help="write the text without group values, or post it with "
                                   "channel: group_message")

