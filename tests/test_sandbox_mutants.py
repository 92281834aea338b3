"""The bounded sandbox's hooks, each asserted at its edge (issue 19, item 5).

Written from the mutants of `sandbox.py` that survived test_render, test_sandbox and
test_render_bounds: the limit each refusal names, the exact boundary of every bound (a value
at the limit passes, one past it is refused), the `'*'`, `'join'`, `'+'` and `a call` wording,
the template count, `str.join`, tuple literals, `{% call %}` blocks, filters added later, and
the hooks outside a render. Expected values are worked out by hand from the limits.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from jinja2 import DictLoader
from jinja2.utils import generate_lorem_ipsum

from playbook.render import MessageEnvironment, RenderLimitExceeded, render
from playbook.render_bounds import RenderLimits
from playbook.sandbox import BoundedSandbox

ROOMY = dict(output_bytes=100_000, steps=10_000, made_chars=10_000_000, seconds=60)


def limits(**changed: Any) -> RenderLimits:
    return RenderLimits(**{**ROOMY, "value_chars": 1_048_576, **changed})


def refusal(source: str, context: dict[str, Any] | None = None,
            env: MessageEnvironment | None = None) -> tuple[str, str]:
    with pytest.raises(RenderLimitExceeded) as stopped:
        render(source, context or {}, env)
    return stopped.value.limit, str(stopped.value)


# -- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "message"), [
    ("{{ 2 ** 101 }}", "render limit: exponent 101 is above 100"),
    ("{{ (10 ** 90) ** 100 }}", "render limit: a power of more than 14,000 bits"),
    ("{% set x = (10 ** 90) ** 40 %}{{ x * x }}", "render limit: a product of more than 14,000 bits"),
    ("{{ 'x' * 100001 }}", "render limit: repeating to 100,001 items is above 100,000"),
])
def test_number_and_repeat_refusals_name_the_value_limit(source: str, message: str) -> None:
    assert refusal(source) == ("value", message)


@pytest.mark.parametrize(("source", "shown"), [
    # 2**139 has 140 bits: 140 * 100 is exactly the 14,000 allowed
    ("{% set b = 2 ** 70 * 2 ** 69 %}{{ b ** 100 > 0 }}", "True"),
    # 2**6999 has 7,000 bits: 7,000 + 7,000 is exactly the 14,000 allowed
    ("{% set x = (2 ** 70) ** 99 * 2 ** 69 %}{{ x * x > 0 }}", "True"),
    ("{{ ('x' * 100000) | length }}", "100000"),
    ("{{ 2.0 ** 50 }}", "1125899906842624.0"),
    ("{{ 3 * 4 }}|{{ true * 3 }}", "12|3"),
    ("{{ '%1000000000s' + '!' }}", "%1000000000s!"),
    ("{{ '{name}!'.format(name='x') }}", "x!"),
])
def test_values_at_the_bounds_still_render(source: str, shown: str) -> None:
    assert render(source, {}) == shown


def test_a_printf_precision_is_refused_before_the_text_is_made() -> None:
    assert refusal("{{ '%.2000000s' % 'x' }}") == (
        "value", "render limit: '%' could make a value longer than 1,048,576 characters")
    # the precision may come from the arguments; the text made would be one character
    assert refusal("{{ '%.*s' % (2000000, 'x') }}") == (
        "value", "render limit: '%' could make a value longer than 1,048,576 characters")


def test_each_made_value_names_what_made_it() -> None:
    env = MessageEnvironment(limits=limits(value_chars=1000))
    big = {"a": "x" * 600, "f": lambda: "y" * 1200, "items": ["x" * 600]}
    assert refusal("{{ a + a }}", big, env) == (
        "value", "render limit: '+' could make a value longer than 1,000 characters")
    assert refusal("{{ f() }}", big, env) == (
        "value", "render limit: a call could make a value longer than 1,000 characters")
    assert refusal("{{ items * 2 }}", big, env) == (
        "value", "render limit: '*' could make a value longer than 1,000 characters")
    # a tuple literal is measured like a list: 2 + 2 * 2 + 2 * 602 = 1,210 characters
    assert refusal("{% set t = (a, a) %}{{ t | length }}", big, env) == (
        "value", "render limit: a template expression could make a value longer than 1,000 characters")


def test_tuples_as_targets_and_values_render() -> None:
    source = "{% for a, b in [(1, 2)] %}{{ a }}{{ b }}{% endfor %}{{ (3, 4) | join('-') }}"
    assert render(source, {}) == "123-4"


# -- str.join, lipsum, output ----------------------------------------------------------------

def test_str_join_counts_its_items_and_measures_its_result() -> None:
    # 10 * 40 separators' worth + the list's weight (2 + 2 * 40 + 40 * 4 = 242) = 642 > 600
    env = MessageEnvironment(limits=limits(value_chars=600))
    context = {"sep": "x" * 10, "items": ["ab"] * 40}
    assert refusal("{{ sep.join(items) }}", context, env) == (
        "value", "render limit: 'join' could make a value longer than 600 characters")
    at_the_limit = MessageEnvironment(limits=limits(value_chars=642))
    assert render("{{ sep.join(items) | length }}", context, at_the_limit) == "470"
    counted = MessageEnvironment(limits=limits(steps=50))
    assert refusal("{{ ','.join(items) }}", {"items": ["a"] * 60}, counted) == (
        "steps", "render limit: more than 50 loop iterations, calls and filters")


def test_lipsum_takes_jinja2s_defaults_and_is_refused_past_its_estimate() -> None:
    random.seed(7)
    expected = str(generate_lorem_ipsum(5, True, 20, 100))
    random.seed(7)
    assert render("{{ lipsum() }}", {}) == expected
    random.seed(7)
    expected = str(generate_lorem_ipsum(2, False, 5, 9))
    random.seed(7)
    assert render("{{ lipsum(2, False, 5, 9) }}", {}) == expected
    at_the_limit = MessageEnvironment(limits=limits(value_chars=6000))  # 5 * 100 * 12
    assert render("{{ lipsum() | length > 0 }}", {}, at_the_limit) == "True"
    env = MessageEnvironment(limits=limits(value_chars=1000))
    assert render("{{ lipsum(1, False, 20, 83) | length > 0 }}", {}, env) == "True"  # 1 * 83 * 12 = 996
    assert refusal("{{ lipsum(1, False, 20, 84) }}", {}, env) == (  # 1,008
        "value", "render limit: 'lipsum' could make a value longer than 1,000 characters")


def test_output_is_counted_in_utf8_bytes() -> None:
    env = MessageEnvironment(limits=limits(output_bytes=9))
    assert render("{{ '一二三' }}", {}, env) == "一二三"
    assert refusal("{{ '一二三四' }}", {}, env) == (
        "output", "render limit: the output is longer than 9 bytes")


# -- filters ---------------------------------------------------------------------------------

def test_a_filter_that_takes_the_context_first_counts_the_iterator_it_is_given() -> None:
    env = MessageEnvironment(limits=limits(steps=50))
    assert refusal("{{ range(60) | map('string') | join(',') }}", {}, env) == (
        "steps", "render limit: more than 50 loop iterations, calls and filters")


def test_filters_added_later_are_bounded_like_the_built_in_ones() -> None:
    env = MessageEnvironment()
    env.add_filters(shout=lambda s: s.upper() + "!", pad=lambda s, n: s * n)
    assert render("{{ 'hi' | shout }}", {}, env) == "HI!"
    assert refusal("{{ 'x' | pad(2000000) }}", {}, env) == (
        "value", "render limit: the filter 'pad' could make a value longer than 1,048,576 characters")


# -- templates -------------------------------------------------------------------------------

def looping(count: int, include: str) -> MessageEnvironment:
    return MessageEnvironment(loader=DictLoader({
        "top": f"{{% for i in range({count}) %}}{{% include {include} %}}{{% endfor %}}",
        "leaf": ".", "self": "{% include 'self' %}"}))


TEMPLATES = ("templates", "render limit: more than 100 templates included, extended or imported "
                          "(does a template include or extend itself?)")


@pytest.mark.parametrize("include", ["'leaf'", "['missing', 'leaf']"])
def test_a_render_may_include_100_templates_and_no_more(include: str) -> None:
    assert looping(100, include).get_template("top").render() == "." * 100
    with pytest.raises(RenderLimitExceeded) as stopped:
        looping(101, include).get_template("top").render()
    assert (stopped.value.limit, str(stopped.value)) == TEMPLATES


def test_a_template_that_includes_itself_stops_at_the_template_limit() -> None:
    with pytest.raises(RenderLimitExceeded) as stopped:
        looping(1, "'leaf'").get_template("self").render()
    assert (stopped.value.limit, str(stopped.value)) == TEMPLATES


def test_get_and_select_template_pass_their_globals_on() -> None:
    env = MessageEnvironment(loader=DictLoader({"hello": "你好{{ who }}"}))
    assert env.get_template("hello", globals={"who": "世界"}).render() == "你好世界"
    assert env.select_template(["missing", "hello"], globals={"who": "朋友"}).render() == "你好朋友"


def test_call_blocks_forward_their_caller() -> None:
    source = "{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}x{% endcall %}"
    assert render(source, {}) == "[x]"


# -- renders and the hooks outside them -------------------------------------------------------

def test_a_render_inside_a_render_keeps_its_arguments() -> None:
    env = MessageEnvironment()
    inner = env.from_string("{{ a }}{{ b }}")
    outer = env.from_string("<{{ nested() }}>")
    assert outer.render(nested=lambda: inner.render({"a": 1}, b=2)) == "<12>"
    assert env.from_string("{{ b }}").render(b=2) == "2"
    assert list(env.from_string("a{{ 1 }}").generate()) == ["a1"]
    assert list(inner.generate({"a": 3}, b=4)) == ["34"]


@pytest.mark.parametrize("source", ["{{ ','.join(['a'], 'b') }}",
                                    "{% for x in [1] recursive %}{{ loop([], 2) }}{% endfor %}"])
def test_a_join_or_a_recursive_loop_given_an_extra_argument_fails_as_in_python(source: str) -> None:
    with pytest.raises(TypeError):
        render(source, {})


def test_a_loop_counts_one_step_per_item_and_no_more() -> None:
    env = MessageEnvironment(limits=limits(steps=50))
    # the call of range is one step, each of its 49 items one more: exactly the 50 allowed
    assert render("{% for i in range(49) %}{% endfor %}ok", {}, env) == "ok"


def test_macros_called_outside_a_render_run_unbounded() -> None:
    module = MessageEnvironment().from_string(
        "{% macro f() %}{% for i in range(2) %}{{ i }}{% endfor %}{% endmacro %}"
        "{% macro g(x) %}{{ [x, x] | length }}{% endmacro %}").module
    assert (str(module.f()), str(module.g(1))) == ("01", "2")  # type: ignore[attr-defined]


def test_the_sandbox_takes_jinja2s_positional_settings_and_its_own_limits() -> None:
    env = BoundedSandbox("<%", "%>", limits=limits(steps=7))
    assert env.from_string("<% if true %>y<% endif %>").render() == "y"
    assert env.budget().limits == limits(steps=7)
