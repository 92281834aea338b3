"""Every sandboxed render is bounded: each attack of issue 13 (nested loops, huge widths,
`replace` amplification, huge output) stops with a render-limit error that names the limit
and its number, at once and within a small memory bound, in lint (PB206) and in export."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import RunCli
from playbook.render import MessageEnvironment, RenderLimitExceeded, render
from playbook.render_bounds import RenderLimits

BASE = Path(__file__).parent / "lint" / "_base"
VALUE = "could make a value longer than 1,048,576 characters"

ATTACKS = {
    "nested range": ("{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
                     "render limit: more than 100,000 loop iterations, calls and filters"),
    "nested range with output": (
        "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}",
        "render limit: the output is longer than 65,536 bytes"),
    "nested loops over a list made by *": (
        "{% for a in [1] * 100000 %}{% for b in [1] * 100000 %}{% endfor %}{% endfor %}",
        "render limit: more than 100,000 loop iterations, calls and filters"),
    "loops over a string and dict items": (
        "{% for a in 'x' * 1000 %}{% for k, v in {'a': 1}.items() %}{% for c in 'y' * 1000 %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "render limit: more than 100,000 loop iterations, calls and filters"),
    "center": ("{{ 'x' | center(1000000000) }}",
               "render limit: the filter 'center' " + VALUE),
    "format filter width": ("{{ '%1000000000s' | format('x') }}",
                            "render limit: the filter 'format' " + VALUE),
    "indent": ("{{ 'x' | indent(1000000000) }}",
               "render limit: the filter 'indent' " + VALUE),
    "str.format width": ("{{ '{:>1000000000}'.format('x') }}",
                         "render limit: 'format' " + VALUE),
    "str.format width from an argument": ("{{ '{:>{}}'.format('x', 1000000000) }}",
                                          "render limit: 'format' " + VALUE),
    "printf star width": ("{{ '%*s' % (1000000000, 'x') }}",
                          "render limit: '%' " + VALUE),
    "ljust": ("{{ 'x'.ljust(1000000000) }}", "render limit: 'ljust' " + VALUE),
    "str.replace amplification": ("{{ ('x' * 1000).replace('x', 'x' * 2000) }}",
                                  "render limit: 'replace' " + VALUE),
    "replace filter amplification": ("{{ ('x' * 1000) | replace('x', 'x' * 2000) }}",
                                     "render limit: the filter 'replace' " + VALUE),
    "join amplification": ("{{ range(100000) | join('x' * 10000) }}",
                           "render limit: the filter 'join' " + VALUE),
    "expandtabs": ("{{ ('\t' * 100000).expandtabs(100000) }}",
                   "render limit: 'expandtabs' " + VALUE),
    "doubling by ~": ("{% set a = 'x' * 100000 %}" + "{% set a = a ~ a %}" * 40,
                      "render limit: a template expression " + VALUE),
    "doubling by shared lists": ("{% set a = ['x' * 1000] %}" + "{% set a = [a, a] %}" * 40,
                                 "render limit: a template expression " + VALUE),
    "huge output via a loop": ("{% set s = 'x' * 60000 %}{% for i in range(100000) %}{{ s }}{% endfor %}",
                               "render limit: the output is longer than 65,536 bytes"),
    "huge output kept in a set block": (
        "{% set s %}{% for i in range(100000) %}{{ 'x' * 60000 }}{% endfor %}{% endset %}",
        "render limit: the output is longer than 65,536 bytes"),
    "batch fill": ("{{ range(10) | batch(1000000000, 'x') | list }}",
                   "render limit: the filter 'batch' " + VALUE),
    "lipsum": ("{{ lipsum(1000000) }}", "render limit: 'lipsum' " + VALUE),
    "power": ("{{ (10 ** 100) ** 100 }}", "render limit: a power of more than 14,000 bits"),
    "repeat": ("{{ 'x' * 1000000 }}", "render limit: repeating to 1,000,000 items is above 100,000"),
}


@pytest.mark.parametrize("source, expected", ATTACKS.values(), ids=ATTACKS.keys())
def test_each_attack_stops_at_its_limit(source: str, expected: str) -> None:
    with pytest.raises(RenderLimitExceeded) as stopped:
        render(source, {})
    assert str(stopped.value) == expected


SMALL = RenderLimits(output_bytes=100, steps=50, value_chars=1000, made_chars=1500, seconds=60)


@pytest.mark.parametrize("source, expected", [
    ("{% macro f(n) %}{% if n %}{% set _ = f(n - 1) %}{% set _ = f(n - 1) %}{% endif %}{% endmacro %}"
     "{{ f(40) }}",
     "render limit: more than 50 loop iterations, calls and filters"),
    ("{% for x in range(3) recursive %}{% if loop.depth < 30 %}{{ loop(range(3)) }}{% endif %}{% endfor %}",
     "render limit: more than 50 loop iterations, calls and filters"),
    ("{% set ns = namespace(a='x') %}{% for i in range(3) %}{% set ns.a = ns.a ~ ('y' * 300) %}{% endfor %}",
     "render limit: the values made add up to more than 1,500 characters"),
])
def test_calls_recursion_and_made_values_are_counted(source: str, expected: str) -> None:
    env = MessageEnvironment(limits=SMALL)
    with pytest.raises(RenderLimitExceeded) as stopped:
        render(source, {}, env)
    assert str(stopped.value) == expected


def test_the_time_budget_stops_a_render() -> None:
    env = MessageEnvironment(limits=RenderLimits(seconds=0))
    with pytest.raises(RenderLimitExceeded) as stopped:
        render("{% for i in range(2) %}{% endfor %}", {}, env)
    assert str(stopped.value) == "render limit: rendering took longer than 0 seconds"


def test_ordinary_messages_render_as_before() -> None:
    source = ("{% for step in range(3) %}{{ loop.index }}. {{ group.name | center(12) }}{% endfor %}"
              "{{ '{:>6}'.format(price) }} {{ '%.2f' | format(price) }} {{ names | join('、') }}"
              "{{ ('a' ~ 'b') * 2 }}{{ 'x'.replace('x', 'yy') }}")
    context = {"group": {"name": "一群"}, "price": 39.9, "names": ["小王", "小李"]}
    assert render(source, context) == ("1.      一群     2.      一群     3.      一群     "
                                       "  39.9 39.90 小王、小李ababyy")


def test_each_render_gets_a_fresh_budget() -> None:
    env = MessageEnvironment(limits=SMALL)
    template = env.from_string("{% for i in range(40) %}{% endfor %}ok")
    assert [template.render() for _ in range(3)] == ["ok", "ok", "ok"]


CHILD = textwrap.dedent('''
    import json, resource, sys
    from playbook.render import RenderLimitExceeded, render
    render("{{ x }}", {"x": 1})  # imports and first compile before the limit
    size = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1]) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size + 64 * 1024 * 1024, resource.RLIM_INFINITY))
    results = []
    for source in json.loads(sys.argv[1]):
        try:
            render(source, {})
            results.append("rendered")
        except RenderLimitExceeded:
            results.append("limit")
        except MemoryError:
            results.append("memory")
    print(json.dumps(results))
''')


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
def test_attacks_stay_within_64_mb(tmp_path: Path) -> None:
    """Each attack runs in a child process whose address space may grow by 64 MB only."""
    sources = [source for source, _ in ATTACKS.values()]
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(sources)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["limit"] * len(sources)


@pytest.fixture
def limited_playbook(tmp_path: Path) -> Path:
    root = tmp_path / "playbook"
    shutil.copytree(BASE, root)
    daily = root / "calendars" / "daily.yaml"
    daily.write_text(daily.read_text(encoding="utf-8").replace(
        "text: 早安,{{ group.name }}的朋友们!",
        "text: \"{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}\""),
        encoding="utf-8")
    return root


def test_lint_reports_the_limit_at_the_message(limited_playbook: Path, run_cli: RunCli) -> None:
    code, out, _ = run_cli("validate", limited_playbook)
    assert code == 1
    assert "calendars/daily.yaml:22:11: error PB206 render limit: more than 100,000 loop iterations, " \
           "calls and filters" in out.splitlines()


def test_export_reports_the_limit_at_the_message(limited_playbook: Path, run_cli: RunCli,
                                                 tmp_path: Path) -> None:
    config = limited_playbook / "pyproject.toml"
    config.write_text('[tool.playbook]\nignore = ["PB206"]\n', encoding="utf-8")
    out = tmp_path / "bundle"
    code, _, err = run_cli("export", limited_playbook, "--from", "2026-11-23", "--to", "2026-11-23",
                           "--out", out)
    assert code == 1
    assert ("calendars/daily.yaml:22:11: error PB206 rendering for group 'g-01' on 2026-11-23: render limit: "
            "more than 100,000 loop iterations, calls and filters") in err.splitlines()
    assert "Traceback" not in err and not out.exists()
