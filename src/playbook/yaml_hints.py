"""What to do about the YAML syntax errors people make most often (PB001's help line).

libyaml says where it gave up and what it expected ("mapping values are not allowed in this
context", "did not find expected key"), which names the parser's state, not the mistake. The
three traps behind most of these errors in playbooks are recognised from the offending line:

* a plain value holding ``: `` (``text: 注意: 今日到货``): YAML reads a second key;
* a plain value starting with ``{{`` (a Jinja2 placeholder): YAML reads a flow mapping;
* a tab in the indentation: YAML allows only spaces there.
"""

from __future__ import annotations

import json
import re

TABS = "indent with spaces, not tabs"
_ENTRY = re.compile(r"^(?P<lead> *(?:- +)*)"
                    r"(?:(?P<key>[^\s'\"#\[\]{},&*!|>%@`-][^#]*?):[ ]+)?(?P<value>.*?)\s*$")
"""An indented line: list markers, then an optional plain `key:`, then the value."""


def _quoted(value: str) -> str:
    """`value` as a double-quoted YAML string (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _rewrite(line: str, value: str) -> str:
    """The entry on `line` written again with its value quoted."""
    match = _ENTRY.match(line)
    assert match is not None  # every line matches: all parts are optional
    key = match.group("key")
    return f"{match.group('lead').lstrip()}{key + ': ' if key else ''}{_quoted(value)}"


def _leading_tab(line: str) -> bool:
    return "\t" in line[: len(line) - len(line.lstrip(" \t"))]


def syntax_hint(text: str, lines_at: tuple[int | None, ...], problem: str) -> str | None:
    """A help line for a PB001 syntax error, given the 0-based lines libyaml pointed at
    (problem first, then context); None when the mistake is not one of the known traps."""
    all_lines = text.splitlines()
    lines = [all_lines[n] for n in lines_at if n is not None and 0 <= n < len(all_lines)]
    if "tab" in problem or any(_leading_tab(line) for line in lines):
        return TABS
    for line in lines:
        match = _ENTRY.match(line)
        if match is None:
            continue
        value = match.group("value")
        if value.startswith("{{"):
            return f"a value starting with {{{{ must be quoted: {_rewrite(line, value)}"
        if match.group("key") and (": " in value or value.endswith(":")) and value[:1] not in "'\"":
            return f"quote the value: {_rewrite(line, value)}"
    return None


def flow_key_hint(line: str) -> str | None:
    """Help for a mapping used as a key (PB016) when the line shows a `{{` placeholder:
    `text: {{ name }}` is valid YAML, a mapping whose only key is the mapping `{name}`."""
    match = _ENTRY.match(line)
    if match is None or not match.group("value").startswith("{{"):
        return None
    return f"a value starting with {{{{ must be quoted: {_rewrite(line, match.group('value'))}"
