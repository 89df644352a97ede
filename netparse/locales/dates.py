"""Label data for timestamps in logs: month names, weekday abbreviations (11 languages of
``date`` and Windows ``date /t`` output) and the zone abbreviations ``date`` prints. Used by
:mod:`netparse.logs.stamps`."""

from __future__ import annotations

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan janv jän ene",
        "feb févr fév",
        "mar mär mrz mars",
        "apr avr abr",
        "may mai",
        "jun juin",
        "jul juil",
        "aug août aoû ago",
        "sep sept set",
        "oct okt",
        "nov",
        "dec dez déc dic",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

#: Zone abbreviations ``date`` prints, with their offsets (hours). Ambiguous ones (IST, CST in
#: China) follow the common US/European reading; an abbreviation not listed gives a naive time.
ZONES: dict[str, float] = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MET": 1,
    "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5, "PKT": 5, "ICT": 7, "WIB": 7, "HKT": 8,
    "SGT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11,
    "NZST": 12, "NZDT": 13, "HST": -10, "AKST": -9, "AKDT": -8, "PST": -8, "PDT": -7, "MST": -7,
    "MDT": -6, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4, "AST": -4, "ADT": -3, "NST": -3.5,
    "NDT": -2.5, "BRT": -3, "ART": -3, "SAST": 2, "CAT": 2, "EAT": 3, "WAT": 1,
}

#: English weekday abbreviations: a US ``date /t`` (``Tue 11/24/2026``) is month first.
EN_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Weekday abbreviations of other languages' ``date /t`` (Monday first), to tell day/month
#: order apart when both numbers are 12 or less.
WEEKDAYS: dict[str, int] = {}
for _names in (
    "mon tue wed thu fri sat sun",
    "mo di mi do fr sa so",  # de
    "lun mar mer jeu ven sam dim",  # fr
    "lu ma mi ju vi sá do",  # es
    "lun mar mer gio ven sab dom",  # it
    "seg ter qua qui sex sáb dom",  # pt
    "ma di wo do vr za zo",  # nl
    "пн вт ср чт пт сб вс",  # ru
    "月 火 水 木 金 土 日",  # ja
    "周一 周二 周三 周四 周五 周六 周日",  # zh-CN
    "월 화 수 목 금 토 일",  # ko
):
    for _i, _name in enumerate(_names.split()):
        WEEKDAYS.setdefault(_name, _i)
