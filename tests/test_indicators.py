from econ_indicators.extract import fact_id
from econ_indicators.indicators import indicator_rows, indicators_table, key_buckets, write_indicators
from econ_indicators.io import output_path, write_parquet
from econ_indicators.storage import Root
from econ_indicators.tables import facts_table


def _fact(fid, doc, value, metric="地区生产总值", start=0, metric_id=None, period=None):
    return {"fact_id": fid, "doc_id": doc, "region": "西安市", "region_code": "610100", "year": 2025,
            "metric": metric, "metric_id": metric_id, "period": period, "value": value, "value_low": None,
            "value_high": None, "unit": "CNY", "surface": "s", "qualifier": None, "kind": "level", "masked": False,
            "sentence": "s", "char_start": start, "char_end": start + 1}


def test_agreeing_facts_merge():
    rows = indicator_rows([_fact("a", "d1", 1e9), _fact("b", "d2", 1e9)])
    assert len(rows) == 1
    assert rows[0]["n_sources"] == 2 and rows[0]["doc_ids"] == ["d1", "d2"] and not rows[0]["conflict"]


def test_disagreeing_facts_are_kept_and_flagged():
    rows = indicator_rows([_fact("a", "d1", 1e9), _fact("b", "d2", 2e9)])
    assert [r["value"] for r in rows] == [1e9, 2e9]
    assert all(r["conflict"] for r in rows)


def test_facts_without_a_metric_make_no_indicator():
    assert indicator_rows([_fact("a", "d1", 1.0, metric=None)]) == []


def test_facts_are_sorted_by_document_and_position():
    table = facts_table([_fact("b", "d2", 1.0, start=5), _fact("a", "d1", 1.0, start=9),
                         _fact("c", "d1", 1.0, start=2)])
    assert table.column("fact_id").to_pylist() == ["c", "a", "b"]


def test_fact_id_is_stable_and_distinguishes_spans():
    assert fact_id("d", 1, 5, "5亿元") == fact_id("d", 1, 5, "5亿元")
    assert fact_id("d", 1, 5, "5亿元") != fact_id("d", 2, 6, "5亿元")


def test_labels_naming_one_indicator_merge_under_its_metric_id():
    rows = indicator_rows([_fact("a", "d1", 1e9, "全市地区生产总值", metric_id="gdp"),
                           _fact("b", "d2", 1e9, "地区生产总值", start=5, metric_id="gdp")])
    assert [(r["metric_id"], r["metric"], r["n_sources"]) for r in rows] == [("gdp", "全市地区生产总值", 2)]


def test_periods_of_one_year_are_kept_apart():
    rows = indicator_rows([_fact("a", "d1", 1e9, period="M01-M05"), _fact("b", "d1", 2e9, start=5)])
    assert [(r["period"], r["value"], r["conflict"]) for r in rows] == [
        ("M01-M05", 1e9, False), (None, 2e9, False)]


def test_key_buckets_follow_sort_order_and_put_unknown_regions_last():
    counts = {("610100", "西安市", 2025, "gdp", "CNY"): 5, (None, None, 2025, None, "%"): 7,
              ("110000", "北京市", None, None, "%"): 3, ("110000", "北京市", 2024, None, "t"): 4,
              ("650000", "新疆", 2025, None, "%"): 1}
    assert key_buckets(counts, limit=8) == {
        ("110000", "北京市", 2024, None, "t"): 0, ("110000", "北京市", None, None, "%"): 0,
        ("610100", "西安市", 2025, "gdp", "CNY"): 1, ("650000", "新疆", 2025, None, "%"): 1,
        (None, None, 2025, None, "%"): 2}
    assert sorted(set(key_buckets(counts, limit=2).values())) == [0, 1, 2, 3, 4]
    assert key_buckets({}) == {}


def test_indicators_written_a_few_regions_at_a_time_equal_one_build(tmp_path):
    facts = []
    for i, (code, name) in enumerate([("610100", "西安市"), ("110000", "北京市"), (None, None), ("430000", "湖南省")]):
        facts += [{**_fact(f"{i}a", "d1", 1e9 + i, start=10 * i), "region_code": code, "region": name},
                  {**_fact(f"{i}b", "d2", 2e9, start=10 * i + 1), "region_code": code, "region": name}]
    write_parquet(facts_table(facts), output_path(tmp_path, "facts"))
    rows = write_indicators(Root(str(tmp_path)), limit=2)
    written = Root(str(tmp_path)).read_parquet("indicators.parquet")
    assert rows == written.num_rows == 8
    assert written.equals(indicators_table(facts))
    assert written.column("region_code").to_pylist()[-2:] == [None, None]
