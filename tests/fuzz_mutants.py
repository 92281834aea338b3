"""Hypothesis strategies that mutate the shipped playbook's own documents (tests/test_fuzz.py).

Structure-aware: a document is read as data (dates and clock times kept as the text the editor
wrote, as the playbook loader does), changed where a real edit could change it (a key dropped,
a value retyped, text given control characters, Jinja, odd dates or huge sizes), and written
back as YAML; a few mutations edit the text itself (a duplicated key line, a raw control
character in a comment, a 5,000-digit number) because no YAML dumper would write them.
"""

from __future__ import annotations

import copy
import functools
import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

SHIPPED = Path(__file__).resolve().parent.parent
"""The repository root: itself the shipped playbook."""
PLAYBOOK_PARTS = ("playbook.yaml", "roster.yaml", "rules", "scripts", "calendars", "packs", "templates")
DOCUMENTS = sorted(
    p.relative_to(SHIPPED).as_posix()
    for pattern in ("playbook.yaml", "roster.yaml", "rules/*.yaml", "scripts/*.yaml",
                    "calendars/*.yaml", "packs/*/pack.yaml")
    for p in SHIPPED.glob(pattern)
)
TEMPLATES = sorted(p.relative_to(SHIPPED).as_posix() for p in SHIPPED.glob("templates/messages/*.j2"))

BAD_CHARACTERS = (
    "\x00", "\x1b", "\x0b", "\x07", "\x7f", "\x80", "\x85", "\x9b", "\ufffe", "\uffff", "\u2028",
    "\u2029", "\u202e", "\u202d", "\u2066", "\u200b", "\ufeff", "\r", "\t", "\x1b[2K", "\U0010ffff",
    "\ud7ff", "\U0001f600",
)
"""Control characters, noncharacters, line separators, bidi overrides and a few legal oddities."""
ODD_MOMENTS = (
    "0001-01-01", "9999-12-31", "0000-00-00", "2026-02-29", "2026-13-01", "24:00", "23:60", "-1:00",
    "99:99", "-1d", "+0m", "+99999999d", "day 0 09:00", "day -1 08:00", "day 99999999 09:00",
    "D-99999999 20:00", "0001-01-01 00:00", "9999-12-31 23:59", "FREQ=DAILY;COUNT=0",
    "FREQ=WEEKLY;INTERVAL=0", "FREQ=DAILY;UNTIL=99991231", "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=WEEKLY;BYDAY=XX", "Mars/Olympus", "0d", "-0m", "1e309h", "",
)
JINJA = (
    "{{ x }}", "{% for %}", "{% for i in range(10) %}", "{{ 1/0 }}", "{{", "{% if %}{% endif %}",
    "{{ group.name }}", "{{ ''.__class__ }}", "{% extends 'messages/welcome.j2' %}",
    "{% include 'messages/../../playbook.yaml' %}", "{{ range(10**9) | list }}", "{# open comment",
    "{{ 'a' * 10**9 }}", "{{ '%s' % x }}", "{% raw %}", "{{ x | nosuchfilter }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
)
RETYPED: tuple[Any, ...] = (
    "text", "", 0, -1, 7, 3.5, True, False, None, [], ["a", 1], {}, {"id": "x"}, {"zh-CN": 1},
    [[]], [{}], "1.0.0", "Asia/Shanghai",
)


class _TextLoader(yaml.CSafeLoader):
    """PyYAML's safe loader, but dates, clock times and yes/no stay text, as in the playbook loader."""


def _int_or_text(loader: _TextLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    return node.value if ":" in node.value else loader.construct_yaml_int(node)


def _bool_or_text(loader: _TextLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    value = str(node.value)
    return value.lower() == "true" if value.lower() in ("true", "false") else value


def _text(loader: _TextLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    return str(node.value)


_TextLoader.add_constructor("tag:yaml.org,2002:timestamp", _text)
_TextLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)
_TextLoader.add_constructor("tag:yaml.org,2002:bool", _bool_or_text)


@functools.cache
def _shipped_data(rel: str) -> Any:
    return yaml.load((SHIPPED / rel).read_text(encoding="utf-8"), Loader=_TextLoader)


def read_data(rel: str) -> Any:
    """A shipped document as data, a fresh copy each time (mutations change it in place)."""
    return copy.deepcopy(_shipped_data(rel))


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=100)


Path_ = tuple[str | int, ...]


def paths(data: Any, here: Path_ = ()) -> list[Path_]:
    """Every place in a document (not the root), parents before children."""
    found: list[Path_] = []
    items: list[tuple[str | int, Any]] = []
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    for key, value in items:
        found.append((*here, key))
        found.extend(paths(value, (*here, key)))
    return found


_HEADER = ("apiVersion", "kind")


def places(data: Any) -> list[Path_]:
    """`paths`, with the header keys last: Hypothesis draws early entries more often, and a
    broken header stops a file at its first line."""
    found = paths(data)
    return [p for p in found if p[:1] not in _HEADER] + [p for p in found if p[:1] in _HEADER]


def get(data: Any, where: Path_) -> Any:
    for token in where:
        data = data[token]
    return data


def put(data: Any, where: Path_, value: Any) -> None:
    get(data, where[:-1])[where[-1]] = value


def _converted(value: Any) -> list[Any]:
    """The same value in another type, as an editor's slip would write it."""
    if isinstance(value, bool):
        return [str(value).lower(), int(value)]
    if isinstance(value, int | float):
        return [str(value), [value], {"value": value}, -value, value * 10**6]
    if isinstance(value, str):
        out: list[Any] = [[value], {value or "k": value}, len(value), value * 3]
        if value.lstrip("-").isdigit() and len(value) < 100:
            out.append(int(value))
        return out
    if isinstance(value, list):
        return [value[0] if value else None, {"items": value}, str(value)]
    if isinstance(value, dict):
        return [list(value.values()), list(value.keys()), str(next(iter(value), ""))]
    return ["null", 0, []]


class Mutant:
    """One changed file of the shipped playbook, and what was done to it (shown on failure).

    A plain class, not a dataclass: Hypothesis prints a dataclass field by field, and the steps
    say more than a megabyte of content."""

    def __init__(self, rel: str, content: bytes, steps: list[str]) -> None:
        self.rel = rel
        self.content = content
        self.steps = steps

    def __repr__(self) -> str:  # Hypothesis prints the example: the steps say more than the bytes
        return f"Mutant({self.rel!r}, {len(self.content)} bytes, steps={self.steps!r})"


class _Raw:
    """Raw YAML text to put where a placeholder string was dumped (what a dumper would escape)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def placeholder(self, text: str) -> str:
        self.texts.append(text)
        return f"FUZZRAW{len(self.texts) - 1}X"

    def apply(self, dumped: str) -> str:
        for number, text in enumerate(self.texts):
            dumped = re.sub(rf"(['\"]?)FUZZRAW{number}X\1", lambda _m, t=text: t, dumped)  # type: ignore[misc]
        return dumped


def _huge(draw: st.DrawFn, raw: _Raw) -> tuple[Any, str]:
    kind = draw(st.sampled_from(("string", "number", "float", "nest-data", "nest-flow", "flow", "map-flow")))
    size = draw(st.sampled_from((10, 1_000, 100_000)))
    if kind == "string":
        return "长" * draw(st.sampled_from((5_000, 100_000, 300_000))), f"a long string ({kind})"
    if kind == "number":
        digits = draw(st.sampled_from((101, 4_301, 5_000)))
        return raw.placeholder("9" * digits), f"a {digits}-digit number"
    if kind == "float":
        odd = draw(st.sampled_from(("1e999", "-1e999", ".nan", ".inf", "1" * 99 + ".5")))
        return raw.placeholder(odd), f"the number {odd}"
    if kind == "nest-data":
        depth = draw(st.sampled_from((10, 63, 64, 65, 100)))
        value: Any = "bottom"
        for _ in range(depth):
            value = {"a": value} if depth % 2 else [value]
        return value, f"nesting {depth} deep"
    if kind == "nest-flow":
        depth = draw(st.sampled_from((70, 1_000, 100_000)))
        return raw.placeholder("[" * depth + "]" * depth), f"flow nesting {depth} deep"
    item = draw(st.sampled_from(("1", "1e6", "x", "{}", "[]", "null")))
    if kind == "flow":
        return raw.placeholder("[" + ", ".join([item] * size * 3) + "]"), f"flow of {size * 3} x {item}"
    return raw.placeholder("{" + ", ".join(f"k{i}: {item}" for i in range(size)) + "}"), f"map of {size}"


@st.composite
def data_mutation(draw: st.DrawFn, data: Any, raw: _Raw) -> str:
    """Change `data` in place in one way; say how."""
    where = places(data)
    if not where:
        return "nothing to change"
    spot = draw(st.sampled_from(where))
    parent = get(data, spot[:-1])
    current = get(data, spot)
    op = draw(st.sampled_from(("drop", "retype", "convert", "inject", "inject-key", "raw", "huge",
                               "moment", "jinja")))
    if op == "drop":
        del parent[spot[-1]]
    elif op == "retype":
        put(data, spot, copy.deepcopy(draw(st.sampled_from(RETYPED))))
    elif op == "convert":
        put(data, spot, draw(st.sampled_from(_converted(current))))
    elif op == "inject":
        text = current if isinstance(current, str) else str(current)
        at = draw(st.integers(0, len(text)))
        put(data, spot, text[:at] + draw(st.sampled_from(BAD_CHARACTERS)) + text[at:])
    elif op == "inject-key" and isinstance(parent, dict):
        key = str(spot[-1])
        at = draw(st.integers(0, len(key)))
        renamed = key[:at] + draw(st.sampled_from(BAD_CHARACTERS)) + key[at:]
        items = [(renamed if k == spot[-1] else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
    elif op == "raw":
        put(data, spot, raw.placeholder(draw(st.sampled_from(BAD_CHARACTERS)) + "x"))
    elif op == "huge":
        value, what = _huge(draw, raw)
        put(data, spot, value)
        op = f"huge: {what}"
    elif op == "moment":
        put(data, spot, draw(st.sampled_from(ODD_MOMENTS)))
    else:
        snippet = draw(st.sampled_from(JINJA))
        text = current if isinstance(current, str) else ""
        put(data, spot, draw(st.sampled_from((snippet, text + snippet, snippet + text))))
    return f"{op} at {'/'.join(map(str, spot))}"


_SHAPES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"),
     ("0001-01-01", "9999-12-31", "1970-01-01", "1969-12-31", "2028-02-29", "2026-12-07", "2026-12-08")),
    (re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"),
     ("0001-01-01 00:00", "9999-12-31 23:59", "2026-12-07 00:00", "2026-12-08 23:59")),
    (re.compile(r"^\d{2}:\d{2}$"), ("00:00", "23:59", "24:00", "00:01")),
    (re.compile(r"^([+-]\d|day |D[+-])"),
     ("+0m", "-1d", "+9999d", "-99999h", "day 1 00:00", "day 3650 23:59", "D-3650 00:00", "D+9999 23:59",
      "+1h30m", "-0m")),
    (re.compile(r"^\d+[dhm]$"), ("0d", "1m", "99999d", "0m", "36500d")),
    (re.compile(r"^FREQ="),
     ("FREQ=DAILY", "FREQ=DAILY;COUNT=1", "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=WEEKLY;INTERVAL=1000",
      "FREQ=DAILY;UNTIL=20261207", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "FREQ=MONTHLY;BYMONTHDAY=29",
      "FREQ=DAILY;COUNT=100000", "FREQ=DAILY;UNTIL=99991231")),
    (re.compile(r"^\d+\.\d+\.\d+$"), ("0.0.0", "999999999.0.0", "1.0.0-rc.1+build.5")),
)
"""Values of the same shape as the one they replace (a date for a date, an offset for an offset),
at the edges of what the models accept: these pass the schema and reach the lint and schedule."""


@functools.cache
def shipped_ids() -> tuple[str, ...]:
    """Every id in the shipped documents: a reference changed to one of them still resolves,
    but perhaps to a thing of another kind (a rule set where a group type was meant)."""
    found: set[str] = set()
    for rel in DOCUMENTS:
        data = _shipped_data(rel)
        found.update(get(data, p) for p in paths(data) if p[-1] == "id" and isinstance(get(data, p), str))
    return tuple(sorted(found))


def _same_shape(draw: st.DrawFn, data: Any, current: Any) -> Any:
    if isinstance(current, bool):
        return not current
    if isinstance(current, int):
        return draw(st.sampled_from((0, 1, -1, 10**9, 2**63, 10**99)))
    if isinstance(current, list):
        return draw(st.sampled_from(([], current * 2, current[:1], list(reversed(current)))))
    if isinstance(current, dict):
        return {k: v for k, v in current.items() if k in ("id", "name", "zh-CN")} or current
    if isinstance(current, str):
        for shape, values in _SHAPES:
            if shape.match(current):
                return draw(st.sampled_from(values))
        elsewhere = sorted({get(data, p) for p in paths(data) if isinstance(get(data, p), str)})
        return draw(st.sampled_from(["", " ", "x" * 10_000, current + draw(st.sampled_from(BAD_CHARACTERS)),
                                     current + draw(st.sampled_from(JINJA)), *elsewhere[:50],
                                     *shipped_ids()]))
    return current


@st.composite
def plausible_mutation(draw: st.DrawFn, data: Any) -> str:
    """Change `data` in place so that it keeps its shape: a date stays a date, an id becomes
    another id of the same document, a list is emptied or doubled; say how."""
    where = [p for p in places(data) if p[:1] not in _HEADER and p[-1:] != ("version",)]
    if not where:
        return "nothing to change"
    spot = draw(st.sampled_from(where))
    put(data, spot, copy.deepcopy(_same_shape(draw, data, get(data, spot))))
    return f"same shape at {'/'.join(map(str, spot))}"


_KEY_LINE = re.compile(r"^(\s*)([A-Za-z_][\w-]*):(.*)$")


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> tuple[str, str]:
    """Change the YAML text itself: what no dumper writes."""
    lines = text.split("\n")
    op = draw(st.sampled_from(("duplicate-key", "raw-char", "comment", "truncate", "tab-indent")))
    number = draw(st.integers(0, max(0, len(lines) - 1)))
    if op == "duplicate-key":
        keyed = [i for i, line in enumerate(lines) if _KEY_LINE.match(line)]
        if keyed:
            number = draw(st.sampled_from(keyed))
            lines.insert(number + 1, lines[number])
    elif op == "raw-char":
        at = draw(st.integers(0, len(lines[number])))
        lines[number] = lines[number][:at] + draw(st.sampled_from(BAD_CHARACTERS)) + lines[number][at:]
    elif op == "comment":
        lines[number] += f"  # note {draw(st.sampled_from(BAD_CHARACTERS))} end"
    elif op == "truncate":
        cut = "\n".join(lines[:number]) + lines[number][: len(lines[number]) // 2]
        return cut, f"truncate at {number + 1}"
    else:
        lines[number] = "\t" + lines[number]
    return "\n".join(lines), f"{op} at line {number + 1}"


@st.composite
def document_mutant(draw: st.DrawFn, rel: str) -> Mutant:
    """One document, changed in ways that keep its shape, or by one to three harsher data
    mutations and maybe one text mutation."""
    data = read_data(rel)
    raw = _Raw()
    if draw(st.booleans()):
        steps = [draw(plausible_mutation(data)) for _ in range(draw(st.integers(1, 4)))]
        return Mutant(rel, dump(data).encode("utf-8"), steps)
    steps = [draw(data_mutation(data, raw)) for _ in range(draw(st.integers(1, 3)))]
    text = raw.apply(dump(data))
    if draw(st.integers(0, 2)) == 0:
        text, step = draw(text_mutation(text))
        steps.append(step)
    return Mutant(rel, text.encode("utf-8"), steps)


@st.composite
def template_mutant(draw: st.DrawFn, rel: str) -> Mutant:
    """A message template with Jinja, a control character or bytes that are not UTF-8 spliced in."""
    text = (SHIPPED / rel).read_text(encoding="utf-8")
    at = draw(st.integers(0, len(text)))
    insert = draw(st.one_of(st.sampled_from(JINJA), st.sampled_from(BAD_CHARACTERS)))
    content = (text[:at] + insert + text[at:]).encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        content += b"\xff\xfe"
    return Mutant(rel, content, [f"insert {insert!r} at {at}"])


@st.composite
def mutants(draw: st.DrawFn) -> list[Mutant]:
    """One or two changed files of the shipped playbook (a template one time in eight)."""
    chosen = draw(st.lists(st.sampled_from(DOCUMENTS), min_size=1, max_size=2, unique=True))
    changed = [draw(document_mutant(rel)) for rel in chosen]
    if draw(st.integers(0, 7)) == 0:
        changed.append(draw(template_mutant(draw(st.sampled_from(TEMPLATES)))))
    return changed


@st.composite
def text_value_mutants(draw: st.DrawFn) -> list[Mutant]:
    """Mutants that often still validate: only text values changed (for the export fuzz)."""
    rel = draw(st.sampled_from(DOCUMENTS))
    data = read_data(rel)
    texts = [p for p in paths(data)
             if isinstance(get(data, p), str) and p[-1] not in ("id", "apiVersion", "kind")]
    steps = []
    for _ in range(draw(st.integers(1, 3))):
        if not texts:
            break
        spot = draw(st.sampled_from(texts))
        current = get(data, spot)
        insert = draw(st.one_of(st.sampled_from(BAD_CHARACTERS), st.sampled_from(JINJA),
                                st.sampled_from(("=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-1", "长" * 5_000))))
        at = draw(st.integers(0, len(current)))
        put(data, spot, current[:at] + insert + current[at:])
        steps.append(f"insert {insert[:20]!r} at {'/'.join(map(str, spot))}:{at}")
    return [Mutant(rel, dump(data).encode("utf-8"), steps)]


@st.composite
def plausible_mutants(draw: st.DrawFn) -> list[Mutant]:
    """One or two documents changed only in ways that keep their shape (for the export fuzz)."""
    changed = []
    for rel in draw(st.lists(st.sampled_from(DOCUMENTS), min_size=1, max_size=2, unique=True)):
        data = read_data(rel)
        steps = [draw(plausible_mutation(data)) for _ in range(draw(st.integers(1, 4)))]
        changed.append(Mutant(rel, dump(data).encode("utf-8"), steps))
    return changed


def write_playbook(folder: Path, changed: list[Mutant]) -> Path:
    """A copy of the shipped playbook in `folder`, with the changed files written over it."""
    root = folder / "playbook"
    root.mkdir()
    for part in PLAYBOOK_PARTS:
        source = SHIPPED / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    for mutant in changed:
        (root / mutant.rel).write_bytes(mutant.content)
    return root
