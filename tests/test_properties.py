"""Property tests (Hypothesis) for the round trips the suite relies on (issue 19): any text
through messages.csv and back, through an .ics DESCRIPTION (escape, fold, unfold), an offset
written out and parsed, and handbook escaping rendered by Python-Markdown back to the text.

Each expected value is written here from the rule the docs state, never by calling the code
under test. Examples are few enough for the normal run (`PLAYBOOK_PROPERTY_EXAMPLES=5000` for
many more); no deadline, since the machine is shared.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundle_playbook import FILES
from playbook.bundle.export import build_bundle, dtstamp_for
from playbook.exporters import csv_messages, ics
from playbook.exporters.base import Filters, Selection, whole
from playbook.handbook.escape import md
from playbook.messages.compose import Message
from playbook.models.project import Project
from playbook.models.types import OFFSET_PATTERN, parse_offset
from playbook.pipeline import check

EXAMPLES = int(os.environ.get("PLAYBOOK_PROPERTY_EXAMPLES", "0") or 0) or 150
"""Examples per property: 150 in the normal run, more with PLAYBOOK_PROPERTY_EXAMPLES=5000."""
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
"""Applied to each test here, not loaded as a global profile: other modules keep their own."""

TRICKY = ['"', ",", "'", ";", "\\", "\n", "\r", "\r\n", "\t", "=", "+", "-", "@", " ", "群", "包邮",
          "😀", "👨‍👩‍👧", "\u00a0", "\u3000", "<", ">", "&", "*", "_", "[", "]", "(", ")", "#", "|", "`"]
"""Characters that mean something to CSV, iCalendar, Markdown or HTML, and wide ones."""
CONSTRUCTS = ["[x](javascript:alert(1))", "![i](a.png)", "*em*", "**b**", "_u_", "`code`", "<b>", "</p>",
              "&amp;", "&#60;", "# h", "- li", "1. one", "> quote", "---", "===", "| a | b |", "<http://x.y>",
              "{: .c}", "!!! note", "~~~", "```", "[^1]", "\\*", "a;b,c\\n", "DTSTART:x", "\\N"]
"""Whole pieces of Markdown, HTML and iCalendar syntax: single characters rarely line up."""


def texts(exclude: str = "", min_size: int = 0, max_pieces: int = 12) -> st.SearchStrategy[str]:
    """Unicode text (CJK and emoji included) with tricky characters and syntax mixed in; no
    control characters but TAB, CR and LF (each format escapes the rest its own way, tested
    elsewhere), no surrogates or unassigned code points (UTF-8 cannot carry the first)."""
    plain = st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co"))
    pieces = st.one_of(st.sampled_from([t for t in TRICKY + CONSTRUCTS if not set(t) & set(exclude)]),
                       plain.filter(lambda c: c not in exclude), st.text(plain, max_size=4)
                       .filter(lambda s: not set(s) & set(exclude)))
    return st.lists(pieces, min_size=min_size, max_size=max_pieces).map("".join)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Message]:
    """A real project and one real message of it, to vary the text of."""
    root = tmp_path_factory.mktemp("props")
    for rel, content in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    checked = check(root)
    assert checked.project is not None and not checked.failing, checked.diagnostics
    day = dt.date(2026, 11, 2)
    bundle = build_bundle(checked.project, day, day, groups=["club-1"], formats=["json"])
    return checked.project, bundle.messages[0]


def selection(project: Project, message: Message) -> Selection:
    day = message.at.date()
    return Selection(project, day, day, Filters(), (message,), (), dtstamp_for(day))


# --- messages.csv -------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""docs/bundles.md (OWASP): a cell starting with one of these gets a leading `'`."""


def as_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


@PROPERTY
@given(text=texts(), group_name=texts(min_size=1))
def test_any_text_survives_messages_csv(sample: tuple[Project, Message], text: str, group_name: str) -> None:
    project, message = sample
    varied = dataclasses.replace(message, text=text, group_name=group_name)
    [(_, data)] = list(csv_messages.export(selection(project, varied)))
    rows = list(csv.reader(io.StringIO(whole(data).decode("utf-8-sig"), newline="")))
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["text"], row["group_name"]) == (as_cell(text), as_cell(group_name))


# --- .ics: escape, fold, unfold -----------------------------------------------------------------

def _one_event(lines: bytes) -> bytes:
    return (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
            b"DTSTAMP:20261102T000000Z\r\n" + lines + b"END:VEVENT\r\nEND:VCALENDAR\r\n")


TEXT_VALUE = re.compile(r'(?:[^\x00-\x08\x0a-\x1f\x7f\\;,]|\\[\\;,nN])*')
"""RFC 5545 §3.3.11 TEXT: no raw control character (HTAB aside), `;` `,` `\\` only escaped."""


LONG = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co")), min_size=60, max_size=300)
"""Long enough to fold two and more times, whatever its bytes per character."""


@PROPERTY
@given(value=st.one_of(texts(max_pieces=80), LONG))
def test_any_text_survives_an_ics_description(value: str) -> None:
    from icalendar import Calendar

    folded = ics.fold("DESCRIPTION:" + ics.text(value))
    physical = folded.split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    assert physical[-1] == b"" and all(line.startswith(b" ") for line in physical[1:-1])
    unfolded = b"".join([physical[0], *(line[1:] for line in physical[1:])]).decode("utf-8")
    assert TEXT_VALUE.fullmatch(unfolded.removeprefix("DESCRIPTION:"))
    [event] = Calendar.from_ical(_one_event(folded)).walk("VEVENT")
    # RFC 5545 TEXT has one kind of line break, written `\n`: CRLF and CR come back as LF
    assert str(event["DESCRIPTION"]) == value.replace("\r\n", "\n").replace("\r", "\n")


@settings(PROPERTY, max_examples=max(EXAMPLES // 4, 40))
@given(text=texts(min_size=1).filter(lambda t: t.strip() != ""))
def test_a_whole_calendar_carries_the_message_text(sample: tuple[Project, Message], text: str) -> None:
    from icalendar import Calendar

    project, message = sample
    calendars = dict(ics.export(selection(project, dataclasses.replace(message, text=text))))
    [event] = Calendar.from_ical(calendars["ics/groups/club-1.ics"]).walk("VEVENT")
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["DESCRIPTION"]).startswith(normalised + "\n")


# --- offsets ------------------------------------------------------------------------------------

durations = st.tuples(st.integers(0, 400), st.integers(0, 99), st.integers(0, 999)).flatmap(
    lambda dhm: st.tuples(st.just(dhm), st.lists(st.booleans(), min_size=3, max_size=3)
                          .filter(any)))
clocks = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@PROPERTY
@given(sign=st.sampled_from("+-"), parts=durations)
def test_a_relative_offset_parses_to_its_duration(sign: str,
                                                  parts: tuple[tuple[int, int, int], list[bool]]) -> None:
    (days, hours, minutes), shown = parts
    text = sign + "".join(f"{n}{unit}" for n, unit, on in zip((days, hours, minutes), "dhm", shown,
                                                              strict=True) if on)
    expected = dt.timedelta(days=days if shown[0] else 0, hours=hours if shown[1] else 0,
                            minutes=minutes if shown[2] else 0)
    assert re.fullmatch(OFFSET_PATTERN, text)
    parsed = parse_offset(text)
    assert parsed.delta == (expected if sign == "+" else -expected)
    anchor = dt.datetime(2026, 11, 2, 20, 0)
    assert parsed.apply(anchor) == anchor + parsed.delta


@PROPERTY
@given(day=st.integers(1, 400), clock=clocks)
def test_a_day_offset_parses_to_its_day_and_clock(day: int, clock: dt.time) -> None:
    text = f"day {day} {clock:%H:%M}"
    assert re.fullmatch(OFFSET_PATTERN, text)
    anchor = dt.datetime(2026, 11, 2, 20, 0)
    expected = dt.datetime.combine(dt.date(2026, 11, 2) + dt.timedelta(days=day - 1), clock)
    assert parse_offset(text).apply(anchor) == expected


@PROPERTY
@given(shift=st.integers(-60, 60), clock=clocks)
def test_a_d_offset_parses_to_its_day_and_clock(shift: int, clock: dt.time) -> None:
    text = f"D{shift:+d} {clock:%H:%M}"
    assert re.fullmatch(OFFSET_PATTERN, text)
    anchor = dt.datetime(2026, 11, 2, 20, 0)
    expected = dt.datetime.combine(dt.date(2026, 11, 2) + dt.timedelta(days=shift), clock)
    assert parse_offset(text).apply(anchor) == expected


# --- handbook escaping: escape, render, read ----------------------------------------------------

HANDBOOK_EXTENSIONS = ["tables", "admonition", "toc", "pymdownx.superfences"]
"""handbook/site.py's Markdown extensions that can change inline text."""


class _Visible(HTMLParser):
    """The text a reader sees and the elements around it (`<br>` read as a line break)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "br":
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@PROPERTY
@given(value=texts(exclude="\t"))
def test_escaped_text_renders_back_to_itself(value: str) -> None:
    import markdown

    html = markdown.markdown(f"para {md(value)}", extensions=HANDBOOK_EXTENSIONS)
    seen = _Visible()
    seen.feed(html)
    # What `md` promises: one line per line of the text, each stripped, joined by <br>.
    lines = value.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    expected = "\n".join(line.strip() for line in lines)
    assert set(seen.tags) <= {"p", "br"}, html
    assert "".join(seen.text) == ("para " + expected).rstrip() if expected else "para", html
