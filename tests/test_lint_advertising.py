"""PB701: advertising-law claims matched as words in context, every occurrence, by family.

tests/data/pb701_ok.txt holds ordinary commerce, wholesale and community wording that must
give no claim; tests/data/pb701_bad.txt holds real violations, one claim each unless the line
ends with `  # N`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from playbook import lint
from playbook.lint.advertising import advertising_terms, claims_in
from playbook.lint.compliance import allow_help
from playbook.lint.config import LintConfig
from playbook.loader import load_tree
from playbook.validate import validate_tree
from test_lint_cases import LINT_DIR, build_case

DATA = Path(__file__).parent / "data"
_COUNT = re.compile(r"  # (\d+)$")


def _phrases(name: str) -> list[tuple[str, int | None]]:
    """(phrase, claims marked on its line or None) for each line that is not a comment."""
    found = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        marked = _COUNT.search(line)
        found.append((line[:marked.start()], int(marked.group(1))) if marked else (line, None))
    return found


OK = _phrases("pb701_ok.txt")
BAD = _phrases("pb701_bad.txt")


def test_the_corpora_are_as_large_as_promised() -> None:
    assert len(OK) >= 200 and len(BAD) >= 50
    assert len({p for p, _ in OK}) == len(OK) and len({p for p, _ in BAD}) == len(BAD)


@pytest.mark.parametrize(("phrase", "_count"), OK, ids=[p for p, _ in OK])
def test_ordinary_commerce_wording_makes_no_claim(phrase: str, _count: int | None) -> None:
    assert [c.text for c in claims_in(phrase)] == []


@pytest.mark.parametrize(("phrase", "count"), BAD, ids=[p for p, _ in BAD])
def test_each_violation_is_one_claim_or_as_many_as_marked(phrase: str, count: int | None) -> None:
    assert len(claims_in(phrase)) == (count or 1), [c.text for c in claims_in(phrase)]


@pytest.mark.parametrize(("text", "found"), [
    ("最晚 22 点前下单,最低起批 5 箱,最近到货", []),
    ("第一单立减,第一品牌,最低价,全网最低", [("第一品牌", "absolute"), ("最低价", "absolute"),
                                          ("全网最低", "absolute")]),
    ("最好的,最好的,最好的", [("最好", "absolute")] * 3),
    ("三天治愈,安全无副作用,保本高收益", [("治愈", "medical"), ("无副作用", "medical"),
                                       ("保本", "returns"), ("高收益", "returns")]),
    ("报名包过,100%通过", [("包过", "education"), ("100%通过", "education")]),
    ("销量第一名,第一名下单送礼", [("销量第一", "absolute")]),
    ("行业第一名", [("第一", "absolute")]),
    ("最高立减 50 元,最高等级", [("最", "absolute")]),
    ("TOP10 榜单,TOP1 爆款,1100% 与 100% 好评", [("TOP1", "absolute"), ("100%", "absolute")]),
])
def test_claims_in_context_with_their_family(text: str, found: list[tuple[str, str]]) -> None:
    assert [(c.text, c.family.id) for c in claims_in(text)] == found


def test_every_family_names_its_article_and_source() -> None:
    families = {f.id: f for f in advertising_terms().families}
    assert {k: f.article for k, f in families.items()} == {
        "absolute": "广告法 第九条", "medical": "广告法 第十六条、第十七条",
        "returns": "广告法 第二十五条", "education": "广告法 第二十四条"}
    assert all(f.source and f.terms and f.not_in == {"team_management"} for f in families.values())


def test_help_gives_the_exact_yaml_that_allows_the_phrase() -> None:
    help_line = allow_help("第一手")
    assert help_line == (
        "state a checkable fact instead; if it is not a claim here, allow it in playbook.yaml "
        "with a reason: `settings: {advertising_allow: [{term: 第一手, reason: …}]}` "
        "(add the entry to advertising_allow if the list exists)")
    written = help_line.split("`")[1]
    assert yaml.safe_load(written) == {"settings": {"advertising_allow": [
        {"term": "第一手", "reason": "…"}]}}


def _pb701(root: Path) -> list[str]:
    result = validate_tree(load_tree(root))
    assert result.project is not None, "\n".join(map(str, result.diagnostics))
    return [str(d) for d in lint.run(result.project, LintConfig()) if d.code == "PB701"]


def test_a_finding_carries_the_allow_help(tmp_path: Path) -> None:
    root = build_case(LINT_DIR / "PB701" / "fail", tmp_path)
    result = validate_tree(load_tree(root))
    assert result.project is not None
    first = next(d for d in lint.run(result.project, LintConfig()) if d.code == "PB701")
    assert first.help == allow_help(first.message.split("'")[1])


def test_messages_to_staff_groups_only_are_not_advertising(tmp_path: Path) -> None:
    root = build_case(LINT_DIR / "PB701" / "fail", tmp_path)
    playbook = root / "playbook.yaml"
    text = playbook.read_text(encoding="utf-8")
    assert text.count("positioning: shopping_guide") == 1
    playbook.write_text(text.replace("positioning: shopping_guide", "positioning: team_management"),
                        encoding="utf-8")
    # the calendar's message reaches only the staff group now; pack copy is checked anyway
    assert [line.split(" PB701 ")[0] for line in _pb701(root)] == [
        "packs/demo-pack/pack.yaml:20:20: error", "packs/demo-pack/pack.yaml:20:34: error",
        "packs/demo-pack/pack.yaml:34:11: error", "packs/demo-pack/pack.yaml:34:11: error"]
