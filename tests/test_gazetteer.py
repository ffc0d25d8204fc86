import re

import pytest

from econ_indicators.gazetteer import Gazetteer, NameTrie, Region, gazetteer, short_forms

ETHNIC = ("土家族", "苗族")


@pytest.mark.parametrize("name, forms", [
    ("西安市", {"西安"}),
    ("湘西土家族苗族自治州", {"湘西州", "湘西自治州", "湘西"}),
    ("青州市", {"青州"}),
    ("和县", set()),  # one character left: too short to be a name
])
def test_short_forms(name, forms):
    assert short_forms(name, ETHNIC) == forms


def test_name_trie_finds_the_longest_name_leftmost_first():
    names = NameTrie(["西安", "西安市", "西宁", "安市区", "西安市市辖区"])
    found = list(names.finditer("西安市和西宁、西安市市场，西安"))
    assert found == [(0, 3, "西安市"), (4, 6, "西宁"), (7, 10, "西安市"), (13, 15, "西安")]


@pytest.mark.parametrize("text", ["西安市和西宁、西安", "西安市市辖区西", "安市区西安市市", "", "西", "东西安"])
def test_name_trie_finds_what_the_regex_alternation_finds(text):
    words = ["西安", "西安市", "西宁", "安市区", "西安市市辖区", "东西"]
    alternation = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    expected = [(m.start(), m.end(), m.group()) for m in alternation.finditer(text)]
    assert list(NameTrie(words).finditer(text)) == expected


def test_name_trie_refuses_an_empty_name():
    with pytest.raises(ValueError):
        NameTrie(["西安", ""])


def _toy() -> Gazetteer:
    regions = [
        Region("370000", "山东省", None, "省"),
        Region("370700", "潍坊市", "370000", "地级市"),
        Region("370781", "青州市", "370700", "县级市"),
        Region("370705", "奎文区", "370700", "市辖区"),
        Region("610000", "陕西省", None, "省"),
        Region("610100", "西安市", "610000", "地级市"),
        Region("610111", "新建区", "610100", "市辖区"),
    ]
    return Gazetteer(regions, ETHNIC, frozenset({"新建"}))


def test_county_short_forms_only_inside_the_document_region():
    places = _toy()
    text = "青州代表说，奎文区将新建项目。"
    assert [m.code for m in places.mentions(text)] == ["370705"]
    assert [m.code for m in places.mentions(text, within="370700")] == ["370781", "370705"]


def test_main_region_counts_a_citys_districts():
    places = _toy()
    text = "潍坊市召开会议。青州代表说。奎文代表说。奎文区发展。青州市增长。山东省领导。山东省会议。"
    assert places.main_region(text) == "370700"


def test_no_region_when_the_text_hides_it():
    assert _toy().main_region("X市经济运行稳步回升，X高端石化产业基地建设全面起势。") is None


def test_a_market_is_not_a_city():
    places = _toy()
    assert places.mentions("西安市场繁荣") == []
    assert [m.code for m in places.mentions("西安市民")] == []
    assert [m.code for m in places.mentions("西安市经济")] == ["610100"]


def test_packaged_gazetteer_knows_counties_and_codes():
    places = gazetteer()
    assert places.name("433100") == "湘西土家族苗族自治州"
    assert places.lineage("370781") == ["370781", "370700", "370000"]
    assert places.main_region("湘西州2025年统计公报。全州生产总值。湘西州增长。") == "433100"


@pytest.mark.parametrize("text, name", [
    ("克州棉花产量", "克孜勒苏柯尔克孜自治州"),  # an alias no rule derives
    ("雄安新区建设", "河北省"),  # a zone stands for the division it lies in
    ("巴州区GDP", "巴州区"),  # a full name beats an alias that is its prefix
])
def test_aliases(text, name):
    places = gazetteer()
    (mention,) = places.mentions(text)
    assert places.name(mention.code) == name


def test_a_speakers_region_scopes_the_paragraph():
    from econ_indicators.extract import extract_document

    text = ("潍坊市人大会议召开。潍坊市全市生产总值8000亿元。\n"
            "青州代表李明说，企业已收集种质资源1万份，投入2000万元。\n"
            "全市新增就业10万人。")
    assert [(r["surface"], r["region"]) for r in extract_document("d", text)] == [
        ("8000亿元", "潍坊市"), ("1万份", "青州市"), ("2000万元", "青州市"), ("10万人", "潍坊市")]
