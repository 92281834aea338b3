"""The helpers behind the template, limit and compliance rules: template analysis, absolute
terms with the allowlist, personal-data patterns, and scope resolution through `extends`
and without a roster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from playbook import lint
from playbook.lint.advertising import claims_in
from playbook.lint.compliance import personal_data_in, valid_resident_id
from playbook.lint.config import LintConfig
from playbook.lint.templates import analyse
from playbook.loader import load_tree
from playbook.validate import validate_tree

BASE = Path(__file__).parent / "lint" / "_base"


def paths(source: str) -> list[str]:
    return [".".join(r.path) for r in analyse(source).references]


def test_analysis_skips_names_the_template_defines() -> None:
    source = ("{% set p = pack.product %}{{ p.name }}{% for x in [1] %}{{ x }}{{ loop.index }}{% endfor %}"
              "{% macro m(arg) %}{{ arg.y }}{% endmacro %}{{ range(2) | list }}{{ group['name'] }}")
    assert paths(source) == ["pack.product", "group.name"]


def test_analysis_finds_unknown_filters_and_tests_and_still_scopes() -> None:
    result = analyse("{{ a | nosuch }}\n{% if b is nosuchtest %}{{ c.d }}{% endif %}")
    assert result.unknown == (("filter", "nosuch", 1), ("test", "nosuchtest", 2))
    assert [".".join(r.path) for r in result.references] == ["a", "b", "c.d"]


def test_syntax_error_keeps_its_line() -> None:
    assert analyse("ok\n{{ a }\n").syntax_error == ("unexpected '}'", 2)


@pytest.mark.parametrize(("text", "allowed", "found"), [
    ("全网销量第一", (), ["销量第一"]),
    ("第一步:点开链接", (), []),
    ("第一手货源,销量第一", ("第一手",), ["销量第一"]),
    ("最近上新,最后一波", (), []),
    ("全网最低价", (), ["全网最低"]),
    ("品质 no.1", (), ["no.1"]),
    ("第一", ("第一",), []),
    ("全网第一", ("全网第一",), []),
])
def test_absolute_terms_respect_allowed_phrases(text: str, allowed: tuple[str, ...],
                                                 found: list[str]) -> None:
    assert [claim.text for claim in claims_in(text, allowed)] == found


def test_resident_id_check_character() -> None:
    assert valid_resident_id("11010519491231002X")
    assert not valid_resident_id("110105194912310021")
    assert not valid_resident_id("11010519491331002X")  # month 13


def test_personal_data_is_masked_and_longer_numbers_are_not_phones() -> None:
    assert list(personal_data_in("电话 138 1234 5678,订单 202611021381234567890")) == [
        "mobile phone number 138****5678"]
    assert list(personal_data_in("证件 11010519491231002x")) == ["resident ID number 110***********002x"]


def _extended_playbook(tmp_path: Path, roster: bool) -> Path:
    """The base with a second WeChat group type whose rules extend base-rules (which now
    applies to no group itself)."""
    root = tmp_path / "pb"
    shutil.copytree(BASE, root)
    text = (root / "playbook.yaml").read_text(encoding="utf-8").replace("operators:", (
        "  - id: fans\n    name: 粉丝群\n    positioning: welfare\n    purpose: 福利\n"
        "    platform: wechat_group\n    target_size: 150\noperators:"))
    text = text.replace("    opened: 2026-11-02\n", (
        "    opened: 2026-11-02\n  - id: g-02\n    name: 粉丝二群\n"
        "    type: fans\n    operator: op-a\n    opened: 2026-11-03\n"))
    if not roster:
        text = text[:text.index("groups:\n")]
    (root / "playbook.yaml").write_text(text, encoding="utf-8")
    rules = (root / "rules" / "base.yaml").read_text(encoding="utf-8")
    (root / "rules" / "base.yaml").write_text(
        rules.replace("  group_types: [middle-official]\n", "  layers: [top]\n", 1), encoding="utf-8")
    (root / "rules" / "fans.yaml").write_text(
        "apiVersion: playbook/v1\nkind: GroupRules\nid: fans-rules\nversion: 1.0.0\ntitle: 粉丝群规\n"
        "owner: op-a\nextends: base-rules\napplies_to:\n  group_types: [fans]\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(("roster", "reached"), [(True, "group 'g-02'"), (False, "group type 'fans'")])
def test_a_base_ladder_reaches_the_groups_of_rule_sets_extending_it(
        tmp_path: Path, roster: bool, reached: str) -> None:
    result = validate_tree(load_tree(_extended_playbook(tmp_path, roster)))
    assert result.project is not None, result.diagnostics
    found = [str(d) for d in lint.run(result.project, LintConfig(select=("PB306",)))]
    assert found == [f"rules/base.yaml:28:13: warning PB306 a wechat_group cannot mute members ({reached})"]
