"""Document structure: metadata (front matter, dates, titles, genre) and the time scopes of sections."""

import datetime as dt

import pytest

from econ_indicators.attribution import DocumentContext, Sections, document_context, front_matter
from econ_indicators.clean import clean
from econ_indicators.extract import extract_document

REPORT = DocumentContext(title="2026年某省政府工作报告", published=dt.date(2026, 1, 20), year=2026)


def test_front_matter_title_and_rfc_2822_date():
    raw = "---\ntitle: '某市上半年产值增长5%'\ndate: Sun, 08 Aug 2021 13:34:03 GMT\nauthor: 某报\n---\n<p>正文。</p>\n"
    meta = front_matter(raw)
    ctx = document_context(clean(raw).text, meta)
    assert meta["author"] == "某报"
    assert (ctx.title, ctx.published, ctx.year) == ("某市上半年产值增长5%", dt.date(2021, 8, 8), 2021)


@pytest.mark.parametrize("raw", [
    "no front matter\n---\ntitle: x\n---\n", "---\n: [unclosed\n---\n", "---\n- a list\n---\n",
])
def test_text_without_usable_front_matter_gives_none(raw):
    assert front_matter(raw) == {}


def test_markup_is_stripped_and_offsets_still_point_into_the_raw_text():
    raw = "---\ntitle: 标题\ndate: 2021-08-08\n---\n<p cms-style=\"x\">产值<font>12.5</font>亿元</p><p>第二段</p>"
    cleaned = clean(raw)
    assert cleaned.text.splitlines()[0] == "标题"
    assert "产值12.5亿元" in cleaned.text and "<" not in cleaned.text and "第二段" in cleaned.text.splitlines()[-1]
    start = cleaned.text.index("12.5")
    assert raw[cleaned.raw_index[start]:cleaned.raw_index[start] + 4] == "12.5"
    assert "date" not in cleaned.text


@pytest.mark.parametrize("head, title", [
    ("下载\n打印\n2026年某市政府工作报告\n——2026年1月20日在某市人民代表大会上\n来源：某日报\n",
     "2026年某市政府工作报告"),
    ("仅供学习 禁止外传\n在全县工作会议上的讲话\n同志们：\n", "在全县工作会议上的讲话"),
    ("某市2025年国民经济和社会发展统计公报_统计公报_某市人民政府|\n首页\n", "某市2025年国民经济和社会发展统计公报"),
    ("某州2025年国民经济和社会发展统计公报某州统计局\n", "某州2025年国民经济和社会发展统计公报"),
    ("关于2025年预算执行情况和\n2026年预算草案的报告\n", "关于2025年预算执行情况和2026年预算草案的报告"),
])
def test_title(head, title):
    assert document_context(head + "正文。").title == title


@pytest.mark.parametrize("head, date", [
    ("2026年某市政府工作报告\n——2026年1月25日在大会上\n来源：某日报\n时间：2026-02-02\n", dt.date(2026, 2, 2)),
    ("某某新闻\n发布时间：2023年11月9日 10:00\n", dt.date(2023, 11, 9)),
])
def test_a_labelled_date_line_is_the_publication_date(head, date):
    assert document_context(head).published == date


@pytest.mark.parametrize("head, genre", [
    ("2026年某省政府工作报告\n", "work_report"),
    ("关于2025年预算执行情况和2026年预算草案的报告\n", "budget_report"),
    ("某市2025年国民经济和社会发展统计公报\n", "communique"),
    ("某县2025年1-8月经济运行情况\n", "periodic_release"),
    ("在全市大会上的讲话\n", "speech"),
    ("某市外贸增长两成\n原标题：某市外贸增长两成\n本报记者 某某\n", "news"),
    ("没有线索的一行字\n", None),
])
def test_genre(head, genre):
    assert document_context(head).genre == genre


WORK_REPORT = """2026年某省政府工作报告
一、2025年工作回顾
过去一年，全省生产总值增长5.1%，粮食产量达到1300亿斤。
二、“十四五”时期发展成就和“十五五”时期主要目标
过去五年，全省生产总值迈上6万亿元台阶，常住人口城镇化率从55.1%提高到60.2%。
“十五五”时期，全省经济年均增长5%左右，研发经费投入年均增长10%以上。
三、2026年重点工作
今年主要预期目标是：生产总值增长5%左右，新增城镇就业100万人以上。
（一）扩大有效投资
实施1000个省重点项目，完成投资1万亿元。
"""


def _scopes(text: str) -> list[tuple[str, int | None, str | None]]:
    sections = Sections.read(text, REPORT)
    out, pos = [], 0
    for line in text.split("\n"):
        scope = sections.at(pos)
        out.append((line[:6], scope.year, scope.mode))
        pos += len(line) + 1
    return out


def test_headings_and_leads_open_time_scopes():
    scopes = {line: (year, mode) for line, year, mode in _scopes(WORK_REPORT)}
    assert scopes["过去一年，全"] == (2025, "result")
    assert scopes["过去五年，全"] == (2025, "result")
    assert scopes["“十五五”时"] == (2030, "target")
    assert scopes["今年主要预期"] == (2026, "target")
    assert scopes["实施1000"] == (2026, "target")  # a subheading keeps its section's scope


def test_a_made_up_work_report_gets_year_kind_and_region_from_its_structure():
    facts = {f["surface"]: f for f in extract_document("report", WORK_REPORT.replace("某省", "河南省"))}
    expected = {
        "5.1%": (2025, "change"), "1300亿斤": (2025, "level"), "6万亿元": (2025, "level"),
        "55.1%": (2020, "share"), "60.2%": (2025, "share"),
        "10%以上": (2030, "target"), "100万人以上": (2026, "target"),
        "1000个": (2026, "target"), "1万亿元": (2026, "target"),
    }
    for surface, (year, kind) in expected.items():
        assert (facts[surface]["year"], facts[surface]["kind"]) == (year, kind), surface
    assert {f["region"] for f in facts.values()} == {"河南省"}
