"""`playbook diff` shows the changed words of a long value, never two identical cuts."""

from __future__ import annotations

import datetime as dt

from playbook.review import report, wording
from playbook.review.documents import DocumentChange, FieldChange
from playbook.review.report import Review

SENTENCE = "今天到货的是云南沃柑,"  # 11 characters
LONG = SENTENCE * 45  # 495 characters
assert len(LONG) == 495


def _review(before: str, after: str) -> Review:
    field = FieldChange("daily[0].text", "changed", before, after)
    doc = DocumentChange("ActivityCalendar", "daily", "calendars/daily.yaml", "changed",
                         "1.0.0", "1.0.1", (field,))
    day = dt.date(2026, 12, 1)
    return Review("main", "HEAD", day, day, [doc], [], [])


def _field_line(output: str, marker: str) -> str:
    return next(line for line in output.splitlines() if marker in line)


def test_a_change_at_the_end_of_a_500_character_text_is_shown_in_text() -> None:
    line = _field_line(report.text(_review(LONG, LONG + "周六前下单送小样")), "daily[0].text")
    assert line == "      daily[0].text: …云南沃柑,今天到货的是云南沃柑,{+周六前下单送小样+}"


def test_a_change_at_the_end_of_a_500_character_text_is_shown_in_markdown() -> None:
    line = _field_line(report.markdown(_review(LONG, LONG + "周六前下单送小样")), "daily[0].text")
    assert line == "  - `daily[0].text`: …云南沃柑,今天到货的是云南沃柑,**周六前下单送小样**"


def test_a_change_in_the_middle_shows_context_on_both_sides() -> None:
    before = LONG[:250] + "周五发货" + LONG[250:]
    after = LONG[:250] + "周六发货" + LONG[250:]
    review = _review(before, after)
    assert _field_line(report.text(review), "daily[0].text") == (
        "      daily[0].text: …的是云南沃柑,今天到货的是云南周[-五-]{+六+}发货沃柑,今天到货的是云南沃柑,…")
    assert _field_line(report.markdown(review), "daily[0].text") == (
        "  - `daily[0].text`: …的是云南沃柑,今天到货的是云南周~~五~~**六**发货沃柑,今天到货的是云南沃柑,…")


def test_short_values_keep_the_before_and_after_form() -> None:
    line = _field_line(report.text(_review("周五发货", "周六发货")), "daily[0].text")
    assert line == "      daily[0].text: 周五发货 → 周六发货"


def test_latin_words_are_whole_tokens_and_several_changes_each_get_context() -> None:
    before = "Order by Friday " + "x" * 120 + " and pay by card"
    after = "Order by Saturday " + "x" * 120 + " and pay by cash"
    assert wording.as_text(before, after) == (
        "Order by [-Friday-]{+Saturday+} xxxxxxxxxxxxxxx…xxxx and pay by [-card-]{+cash+}")


def test_markdown_escapes_every_piece_so_a_value_cannot_forge_markers() -> None:
    # one star inserted before and after 9 元 (shown as bold escaped stars), then " <b>"
    assert wording.as_markdown("价格 *9 元*", "价格 **9 元** <b>") == (
        "价格 **\\***\\*9 元\\***\\* &lt;b&gt;**")


def test_markdown_keeps_spaces_outside_the_markers_and_shows_a_space_change() -> None:
    assert wording.as_markdown("a b", "a c d") == "a ~~b~~**c d**"
    assert wording.as_markdown("甲乙", "甲 乙") == "甲**␣**乙"


def test_line_breaks_are_shown_not_kept() -> None:
    assert wording.as_text("第一行\n第二行", "第一行\n第三行") == "第一行 ⏎ 第[-二-]{+三+}行"


def test_very_long_texts_fall_back_to_common_start_and_end() -> None:
    before = "甲" * 3000 + "乙" + "丙" * 3000
    after = "甲" * 3000 + "丁" + "丙" * 3000
    assert wording.as_text(before, after) == "…" + "甲" * 16 + "[-乙-]{+丁+}" + "丙" * 16 + "…"
