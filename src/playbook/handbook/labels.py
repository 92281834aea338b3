"""Built-in display labels (zh and en) for every enum value a playbook uses, and recurrence
and offsets written in words. Handbook pages show these instead of raw values such as
`group_message` or `FREQ=WEEKLY;BYDAY=MO,WE,FR`; a raw value appears only in code, or as
the fallback for a value this table does not know."""

from __future__ import annotations

import re

LabelTable = dict[str, dict[str, tuple[str, str]]]

LABELS: LabelTable = {
    "channel": {
        "group_message": ("群消息", "group message"),
        "announcement": ("群公告", "announcement"),
        "private_message": ("私聊", "private message"),
        "moments_post": ("朋友圈", "Moments post"),
        "auto_reply": ("自动回复", "auto reply"),
        "phone_call": ("电话", "phone call"),
        "ad_placement": ("广告投放", "ad placement"),
        "landing_page": ("落地页", "landing page"),
        "live_session": ("群内直播课", "live session"),
        "backoffice": ("后台记录", "back office"),
        "service_account_post": ("服务号推送", "service account post"),
    },
    "form": {
        "text": ("文字", "text"),
        "image": ("图片", "image"),
        "video": ("视频", "video"),
        "poster": ("海报", "poster"),
        "link": ("链接", "link"),
        "mini_program_card": ("小程序卡片", "mini-program card"),
        "poll": ("投票", "poll"),
        "red_envelope": ("红包", "red envelope"),
        "live_text": ("文字直播", "live text"),
        "voice": ("语音", "voice"),
        "file": ("文件", "file"),
    },
    "platform": {
        "wechat_group": ("微信群", "WeChat group"),
        "wecom_customer_group": ("企业微信客户群", "WeCom customer group"),
        "wecom_group_robot": ("企业微信群机器人", "WeCom group robot"),
        "qq_group": ("QQ 群", "QQ group"),
        "dingtalk_group": ("钉钉群", "DingTalk group"),
        "personal_account": ("个人号", "personal account"),
        "moments": ("朋友圈", "Moments"),
        "service_account": ("服务号", "service account"),
        "subscription_account": ("订阅号", "subscription account"),
        "mini_program": ("小程序", "mini program"),
    },
    "role_kind": {
        "official": ("官方号", "official"),
        "owner": ("群主", "owner"),
        "operator": ("运营", "operator"),
        "kol": ("KOL", "KOL"),
        "koc": ("KOC", "KOC"),
        "guest": ("嘉宾", "guest"),
    },
    "positioning": {
        "shopping_guide": ("导购", "shopping guide"),
        "welfare": ("福利", "welfare"),
        "after_sales": ("售后", "after-sales"),
        "vip": ("VIP", "VIP"),
        "kol_circle": ("KOL 圈", "KOL circle"),
        "training_camp": ("训练营", "training camp"),
        "learning_check_in": ("学习打卡", "learning check-in"),
        "conversion": ("转化", "conversion"),
        "retention": ("留存", "retention"),
        "core_members": ("核心成员", "core members"),
        "team_management": ("团队管理", "team management"),
    },
    "stage_kind": {
        "strong": ("强运营", "strong"),
        "daily": ("日常运营", "daily"),
        "weak": ("弱运营", "weak"),
    },
    "trigger": {
        "before_group": ("建群前准备", "before the group"),
        "on_join": ("成员入群", "on join"),
        "programme": ("按天课程", "programme"),
        "funnel": ("引流漏斗", "funnel"),
    },
    "anchor": {
        "group_opened": ("开群日", "group opened"),
        "cohort_start": ("开营日", "cohort start"),
        "member_joined": ("入群日", "member joined"),
    },
    "purpose": {
        "account_setup": ("账号准备", "account setup"),
        "moments_upkeep": ("朋友圈维护", "Moments upkeep"),
        "invitation": ("邀请", "invitation"),
        "eligibility_check": ("资格核对", "eligibility check"),
        "welcome": ("欢迎", "welcome"),
        "nickname": ("改昵称", "nickname"),
        "self_introduction": ("自我介绍", "self-introduction"),
        "benefit": ("福利", "benefit"),
        "ice_breaker": ("破冰", "ice breaker"),
        "newcomer_qa": ("新人答疑", "newcomer Q&A"),
        "lesson": ("课程", "lesson"),
        "check_in": ("打卡", "check-in"),
        "task": ("任务", "task"),
        "promotion": ("推广", "promotion"),
        "screening": ("筛选", "screening"),
        "ad_placement": ("广告投放", "ad placement"),
        "guide_page": ("引导页", "guide page"),
        "jump_to_wechat": ("跳转微信", "jump to WeChat"),
        "add_friend_reply": ("加好友回复", "add-friend reply"),
        "audit_record": ("审核记录", "audit record"),
        "admission": ("准入", "admission"),
        "review": ("复盘", "review"),
        "other": ("其他", "other"),
    },
    "detection": {
        "link": ("链接", "link"),
        "qr_code": ("二维码", "QR code"),
        "mini_program": ("小程序", "mini program"),
        "card": ("名片", "contact card"),
        "keyword": ("关键词", "keyword"),
        "flooding": ("刷屏", "flooding"),
        "red_envelope": ("红包", "red envelope"),
        "manual": ("人工", "manual"),
    },
    "escalation": {
        "reminder": ("提醒", "reminder"),
        "warning": ("警告", "warning"),
        "mute": ("禁言", "mute"),
        "removal": ("移出", "removal"),
    },
    "material": {
        "text": ("文案", "copy"),
        "image": ("图片", "image"),
        "video": ("视频", "video"),
        "interactive": ("互动玩法", "interactive"),
        "sales_gameplay": ("销售玩法", "sales gameplay"),
        "offline": ("线下互动", "offline"),
    },
    "phase": {
        "warm_up": ("预热", "warm-up"),
        "launch": ("上线", "launch"),
        "battle_report": ("战报", "battle report"),
        "top_list": ("排行榜", "top list"),
        "second_wave": ("二次冲刺", "second wave"),
        "afternoon_stimulus": ("午后刺激", "afternoon stimulus"),
        "closing_review": ("收尾复盘", "closing review"),
        "summary_note": ("总结笔记", "summary note"),
    },
    "weekday": {
        "mon": ("周一", "Monday"),
        "tue": ("周二", "Tuesday"),
        "wed": ("周三", "Wednesday"),
        "thu": ("周四", "Thursday"),
        "fri": ("周五", "Friday"),
        "sat": ("周六", "Saturday"),
        "sun": ("周日", "Sunday"),
    },
    "event": {
        "training": ("培训", "training"),
        "flash_sale": ("秒杀", "flash sale"),
        "hot_product": ("爆品", "hot product"),
        "meeting": ("会议", "meeting"),
        "sharing": ("分享", "sharing"),
        "duty": ("值班", "duty"),
        "review": ("复盘", "review"),
        "other": ("其他", "other"),
    },
    "offline": {
        "training": ("线下培训", "training"),
        "meet_and_greet": ("见面会", "meet and greet"),
        "commendation": ("表彰会", "commendation"),
        "salon": ("沙龙", "salon"),
        "other": ("其他", "other"),
    },
    "kind": {
        "Playbook": ("手册", "playbook"),
        "Roster": ("名册", "roster"),
        "GroupRules": ("群规", "group rules"),
        "OnboardingScript": ("入群流程", "onboarding script"),
        "ActivityCalendar": ("活动日历", "activity calendar"),
        "MaterialPack": ("爆品素材包", "material pack"),
    },
    "item": {
        "slot": ("每日排期", "daily slot"),
        "weekly_event": ("每周活动", "weekly event"),
        "announcement": ("活动预告", "announcement"),
        "game": ("群游戏", "game"),
        "programme_step": ("课程步骤", "programme step"),
        "launch_step": ("上线步骤", "launch step"),
        "offline": ("线下活动", "offline event"),
        "preparation_step": ("开群准备", "preparation step"),
    },
}
"""Enum kind -> value -> (zh, en)."""


def label(kind: str, value: str | None, locale: str = "zh") -> str:
    """The display label of an enum value in `locale` (zh-* -> Chinese, anything else ->
    English); the value itself when the table does not know it."""
    if value is None:
        return ""
    pair = LABELS.get(kind, {}).get(value)
    if pair is None:
        return value
    return pair[0] if locale.lower().startswith("zh") else pair[1]


_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_DAY_ZH = "一二三四五六日"
_ORDINAL = re.compile(r"^([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)$")


def recurrence(rule: str | None) -> str | None:
    """An RRULE in Chinese words (`FREQ=WEEKLY;BYDAY=MO,WE,FR` -> 每周一、三、五,
    `FREQ=MONTHLY;BYDAY=1SU` -> 每月第一个周日); None for a rule this cannot say, so the
    caller shows it as code."""
    if rule is None:
        return None
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    if set(parts) - {"FREQ", "BYDAY", "INTERVAL", "BYMONTHDAY", "COUNT", "UNTIL"}:
        return None
    words = _repeat(parts)
    if words is None:
        return None
    if parts.get("COUNT", "").isdigit():
        words += f"，共 {int(parts['COUNT'])} 次"
    elif "COUNT" in parts:
        return None
    if "UNTIL" in parts:
        until = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?", parts["UNTIL"])
        if until is None:
            return None
        words += f"，到 {until[1]}-{until[2]}-{until[3]} 为止"
    return words


def _repeat(parts: dict[str, str]) -> str | None:
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or int(interval) < 1:
        return None
    n = int(interval)
    days = [_ORDINAL.match(d) for d in parts.get("BYDAY", "").split(",")] if "BYDAY" in parts else []
    if any(m is None for m in days):
        return None
    found = [(m.group(1), _DAYS[m.group(2)]) for m in days if m is not None]
    freq = parts.get("FREQ")
    if "BYMONTHDAY" in parts:
        monthdays = parts["BYMONTHDAY"].split(",")
        if freq != "MONTHLY" or found or not all(d.isdigit() for d in monthdays):
            return None
        return ("每月 " if n == 1 else f"每 {n} 个月的 ") + "、".join(str(int(d)) for d in monthdays) + " 日"
    if freq == "DAILY" and not found:
        return "每天" if n == 1 else f"每 {n} 天"
    if freq == "WEEKLY" and found and all(k is None for k, _ in found):
        numbers = sorted(d for _, d in found)
        if numbers == list(range(7)) and n == 1:
            return "每天"
        return ("每周" if n == 1 else f"每 {n} 周的周") + "、".join(_DAY_ZH[d] for d in numbers)
    if freq == "MONTHLY" and len(found) == 1 and found[0][0] is not None and n == 1:
        k = int(found[0][0])
        nth = "最后一个" if k == -1 else f"倒数第{_number(-k)}个" if k < 0 else f"第{_number(k)}个"
        return f"每月{nth}周{_DAY_ZH[found[0][1]]}"
    return None


def _number(n: int) -> str:
    return "一二三四五"[n - 1] if 1 <= n <= 5 else str(n)


_DURATION = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "天", "h": "小时", "m": "分钟"}


def offset(text: str | None) -> str:
    """An offset in words: `+30m` -> 30 分钟后, `-1d` -> 1 天前, `D-1 20:00` -> 前一天 20:00,
    `day 3 09:00` -> 第 3 天 09:00, `+0m` -> 立即."""
    if not text:
        return ""
    if text[:1] in "+-":
        pieces = _DURATION.findall(text[1:])
        if not pieces or "".join(n + u for n, u in pieces) != text[1:]:
            return text
        if all(int(n) == 0 for n, _ in pieces):
            return "立即"
        amount = " ".join(f"{int(n)} {_UNITS[u]}" for n, u in pieces if int(n))
        return f"{amount}{'后' if text[0] == '+' else '前'}"
    day, _, clock = text.rpartition(" ")
    if day.startswith("day "):
        return f"第 {day[4:]} 天 {clock}"
    if day.startswith("D") and day[1:].lstrip("+-").isdigit():
        shift = int(day[1:])
        names = {-2: "前两天", -1: "前一天", 0: "当天", 1: "后一天", 2: "后两天"}
        when = names.get(shift, f"{abs(shift)} 天{'前' if shift < 0 else '后'}")
        return f"{when} {clock}"
    return text


__all__ = ["LABELS", "label", "offset", "recurrence"]
