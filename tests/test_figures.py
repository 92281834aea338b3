"""The handbook's figures (pyramid, funnel, weekly grid) read back with html.parser: structure,
widths and text, each expected value worked out by hand from the docstrings' rules. Only the
golden pages guarded them before (a mutation run left 40% of figures.py alive without them)."""

from __future__ import annotations

from html.parser import HTMLParser

from playbook.handbook.figures import (
    FunnelStep,
    GridEntry,
    LaunchMark,
    Tier,
    funnel,
    launch_line,
    pyramid,
    week_grid,
)


class Tree(HTMLParser):
    """Each element as (tag, attributes, its own text), in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], str]] = []
        self._open: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), ""))
        self._open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        self._open.pop()

    def handle_data(self, data: str) -> None:
        index = self._open[-1]
        tag, attrs, text = self.elements[index]
        self.elements[index] = (tag, attrs, text + data)

    def text(self) -> str:
        return "".join(text for _, _, text in self.elements)

    def find(self, tag: str) -> list[tuple[dict[str, str | None], str]]:
        return [(attrs, text) for t, attrs, text in self.elements if t == tag]


def test_pyramid_tiers_widen_downwards_and_link_their_layers() -> None:
    tree = Tree(pyramid([Tier("头部 <b>", "留存 & 复购", "layers/top.md"),
                         Tier("中层", "转化", "layers/middle.md"),
                         Tier("新手", "激活", "layers/base page.md")]))
    [(outer, _)] = tree.find("div")
    assert (outer["class"], outer["role"], outer["aria-label"]) == ("pb-figure pb-pyramid", "figure",
                                                                      "pyramid")
    links = tree.find("a")
    # width = 40 + 60 * (i + 1) / 3, rounded: 60, 80, 100 (%)
    assert [(a["class"], a["style"], a["href"]) for a, _ in links] == [
        ("pb-tier", "width:60%", "layers/top.md"), ("pb-tier", "width:80%", "layers/middle.md"),
        ("pb-tier", "width:100%", "layers/base%20page.md")]
    assert [text for _, text in tree.find("strong")] == ["头部 <b>", "中层", "新手"]
    assert [text for _, text in tree.find("span")] == ["留存 & 复购", "转化", "激活"]
    assert tree.text() == "头部 <b>留存 & 复购中层转化新手激活"  # nothing between the tiers


def test_two_tiers_and_two_steps() -> None:
    tiers = Tree(pyramid([Tier("上", "a", "t.md"), Tier("下", "b", "b.md")])).find("a")
    assert [attrs["style"] for attrs, _ in tiers] == ["width:70%", "width:100%"]  # 40 + 60 * (i + 1) / 2
    steps = Tree(funnel([FunnelStep("进", "a"), FunnelStep("出", "b")])).find("div")[1:]
    assert [attrs["style"] for attrs, _ in steps] == ["width:100%", "width:45%"]  # 100 - 55 * i / 1


def test_a_single_tier_is_full_width() -> None:
    [(attrs, _)] = Tree(pyramid([Tier("全部", "全部会员", "layers/all.md")])).find("a")
    assert attrs["style"] == "width:100%"


def test_funnel_steps_narrow_downwards() -> None:
    tree = Tree(funnel([FunnelStep("曝光", "展示次数"), FunnelStep("点击", "点击率"),
                        FunnelStep("进群", "入群数")]))
    outer, *stages = tree.find("div")
    assert (outer[0]["class"], outer[0]["role"], outer[0]["aria-label"]) == ("pb-figure pb-funnel", "figure",
                                                                              "funnel")
    # width = 100 - 55 * i / 2, rounded half to even: 100, 72, 45 (%)
    assert [(attrs["class"], attrs["style"]) for attrs, _ in stages] == [
        ("pb-stage", "width:100%"), ("pb-stage", "width:72%"), ("pb-stage", "width:45%")]
    assert [text for _, text in tree.find("strong")] == ["曝光", "点击", "进群"]
    assert [text for _, text in tree.find("span")] == ["展示次数", "点击率", "入群数"]
    assert tree.text() == "曝光展示次数点击点击率进群入群数"


def test_a_single_funnel_step_is_full_width() -> None:
    stages = Tree(funnel([FunnelStep("进群", "入群数")])).find("div")[1:]
    assert [attrs["style"] for attrs, _ in stages] == ["width:100%"]


def test_week_grid_puts_each_entry_in_its_time_and_day() -> None:
    days = ["周一", "周二", "周三"]
    cells = {("09:00", 0): [GridEntry("早安", "slot")],
             ("20:00", 2): [GridEntry("秒杀 <i>", "event"), GridEntry("预告", "announcement")]}
    tree = Tree(week_grid(days, ["09:00", "20:00"], cells))
    [(outer, _)] = tree.find("div")
    [(table, _)] = tree.find("table")
    assert (outer["class"], table["class"]) == ("pb-figure pb-week", "pb-week-grid")
    spans = [(text, attrs["class"]) for attrs, text in tree.find("span")]
    assert spans == [("早安", "pb-entry pb-slot"), ("秒杀 <i>", "pb-entry pb-event"),
                     ("预告", "pb-entry pb-announcement")]
    cells_in_order = [text for tag, _, text in tree.elements if tag in ("th", "td")]
    # header row (corner + 3 days), then per time: its th and three td (text is in the spans)
    assert cells_in_order == ["", "周一", "周二", "周三", "09:00", "", "", "", "20:00", "", "", ""]
    assert tree.text() == "周一周二周三09:00早安20:00秒杀 <i>预告"  # nothing between the cells
    tds = [i for i, (tag, _, _) in enumerate(tree.elements) if tag == "td"]
    span_cells = [max(i for i in tds if i < j) for j, (tag, _, _) in enumerate(tree.elements)
                  if tag == "span"]
    assert [tds.index(i) for i in span_cells] == [0, 5, 5]  # Monday 09:00; Wednesday 20:00 twice


HOSTILE = "<img src=x onerror=alert(1)>"


def test_launch_line_lists_the_steps_top_down_with_their_phase_colour() -> None:
    tree = Tree(launch_line([
        LaunchMark("12-05 18:00", "预热", "前一天 18:00", "爆品介绍文案", "warm_up"),
        LaunchMark("12-06 10:00", "上线", "上线 立即", "", "launch"),
        LaunchMark("12-07 09:00", "总结笔记", "", "门店试洗日", "summary_note")]))
    [(outer, _)] = tree.find("div")
    assert (outer["class"], outer["role"], outer["aria-label"]) == ("pb-figure pb-launch-line", "figure",
                                                                      "上线时间线")
    assert len(tree.find("ol")) == 1
    assert [attrs["class"] for attrs, _ in tree.find("li")] == [
        "pb-mark pb-warm_up", "pb-mark pb-launch", "pb-mark pb-summary_note"]
    assert [text for _, text in tree.find("strong")] == ["预热", "上线", "总结笔记"]
    # an empty offset or note leaves no empty element behind
    assert [(attrs["class"], text) for attrs, text in tree.find("span")] == [
        ("pb-mark-when", "12-05 18:00"), ("pb-mark-offset", "前一天 18:00"), ("pb-mark-note", "爆品介绍文案"),
        ("pb-mark-when", "12-06 10:00"), ("pb-mark-offset", "上线 立即"),
        ("pb-mark-when", "12-07 09:00"), ("pb-mark-note", "门店试洗日")]


def test_launch_line_escapes_every_text_and_the_phase_class() -> None:
    figure = launch_line([LaunchMark(HOSTILE, HOSTILE, HOSTILE, HOSTILE, 'x" onclick="alert(1)')])
    tree = Tree(figure)
    assert [tag for tag, _, _ in tree.elements] == ["div", "ol", "li", "span", "strong", "span", "span"]
    assert [text for _, _, text in tree.elements[3:]] == [HOSTILE] * 4
    assert tree.find("li")[0][0] == {"class": "pb-mark pb-xonclickalert1"}
    assert "<img" not in figure and "&lt;img src=x onerror=alert(1)&gt;" in figure


def test_a_launch_without_steps_draws_nothing() -> None:
    assert launch_line([]) == ""


def test_a_phase_with_nothing_css_safe_adds_no_phase_class() -> None:
    # no phase, or one whose characters are all stripped: the dot keeps its default colour
    tree = Tree(launch_line([LaunchMark("12-05 18:00", "预热", "", "", ""),
                             LaunchMark("12-06 10:00", "上线", "", "", "上线!")]))
    assert [attrs["class"] for attrs, _ in tree.find("li")] == ["pb-mark", "pb-mark"]
