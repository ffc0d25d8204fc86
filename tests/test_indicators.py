import pytest

from econ_indicators import indicators
from econ_indicators.extract import fact_id
from econ_indicators.incremental import write_part
from econ_indicators.indicators import indicator_rows, indicators_table, key_buckets, write_indicators
from econ_indicators.partitions import PARTITION_KEYS
from econ_indicators.storage import Root
from econ_indicators.tables import facts_table


def _fact(fid, doc, value, metric="地区生产总值", start=0, metric_id="gdp", period=None):
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


def test_values_under_a_bare_label_are_kept_apart_but_never_conflict():
    rows = indicator_rows([_fact("a", "d1", 10.0, "占比", metric_id=None),
                           _fact("b", "d2", 20.0, "占比", metric_id=None)])
    assert [(r["metric"], r["value"], r["conflict"]) for r in rows] == [("占比", 10.0, False), ("占比", 20.0, False)]


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


def _regional_facts(doc: str, values: list[float], start: int = 0) -> list[dict]:
    regions = [("610100", "西安市"), ("110000", "北京市"), (None, None), ("430000", "湖南省")]
    return [{**_fact(f"{doc}-{i}", doc, value, start=start + 10 * i), "region_code": code, "region": name}
            for i, ((code, name), value) in enumerate(zip(regions, values, strict=False))]


def _write_parts(root: Root, parts: dict[str, list[dict]]) -> None:
    for key, facts in parts.items():
        write_part(root, "facts", key, facts_table(facts))


def test_indicators_written_a_few_regions_at_a_time_equal_one_build(tmp_path):
    root = Root(str(tmp_path))
    parts = {"0": _regional_facts("d1", [1e9, 1e9 + 1, 1e9 + 2, 1e9 + 3]),
             "1": _regional_facts("d2", [2e9, 2e9, 2e9, 2e9], start=1)}
    _write_parts(root, parts)
    build = write_indicators(root, PARTITION_KEYS, limit=2)
    written = root.read_parquet("indicators.parquet")
    assert build.how == "rebuilt" and build.rows == written.num_rows == 8 and build.facts_merged == 8
    assert written.equals(indicators_table(parts["0"] + parts["1"]))
    assert written.column("region_code").to_pylist()[-2:] == [None, None]


def _full_build_bytes(tmp_path, parts: dict[str, list[dict]]) -> bytes:
    fresh = Root(str(tmp_path / "fresh"))
    _write_parts(fresh, parts)
    assert write_indicators(fresh, PARTITION_KEYS, limit=2).how == "rebuilt"
    return fresh.read_bytes("indicators.parquet")


@pytest.mark.parametrize("row_group", [1, 2, 3, 131_072])
def test_only_changed_groups_are_merged_again_and_the_file_equals_a_full_build(tmp_path, monkeypatch, row_group):
    monkeypatch.setattr(indicators, "ROW_GROUP_ROWS", row_group)  # the previous table read in several batches
    root = Root(str(tmp_path / "out"))
    parts = {"0": _regional_facts("d1", [1e9, 5.0, 7.0]), "1": _regional_facts("d2", [1e9, 6.0], start=1),
             "2": _regional_facts("d3", [0.0, 0.0, 3.0], start=2)[2:]}
    _write_parts(root, parts)
    write_indicators(root, PARTITION_KEYS, limit=2)
    # d2 now disagrees with d1 on 西安市 and no longer mentions 北京市; d4 adds 湖南省 to part 1
    parts["1"] = _regional_facts("d2", [2e9], start=1) + _regional_facts("d4", [None, None, None, 4.0])[3:]
    _write_parts(root, {"1": parts["1"]})
    build = write_indicators(root, PARTITION_KEYS, limit=2)
    assert build.how == "updated"
    assert build.facts_merged == 4  # 西安市 (d1, d2), 北京市 (d1 only now), 湖南省 (d4); not the unknown region
    assert root.read_bytes("indicators.parquet") == _full_build_bytes(tmp_path, parts)
    rows = root.read_parquet("indicators.parquet").to_pylist()
    assert [r["conflict"] for r in rows if r["region"] == "西安市"] == [True, True]


def test_a_removed_part_takes_its_facts_out_and_nothing_changed_writes_nothing(tmp_path):
    root = Root(str(tmp_path / "out"))
    parts = {"0": _regional_facts("d1", [1.0, 2.0]), "1": _regional_facts("d2", [1.0, 3.0], start=1),
             "2": _regional_facts("d3", [9.0, 9.0, 9.0], start=2)}
    _write_parts(root, parts)
    write_indicators(root, PARTITION_KEYS)
    root.remove("_parts/facts/1.parquet")
    del parts["1"]
    assert write_indicators(root, PARTITION_KEYS).how == "updated"
    assert root.read_bytes("indicators.parquet") == _full_build_bytes(tmp_path, parts)
    assert not root.exists("_parts/merged_facts/1.parquet")
    written = root.local_path("indicators.parquet").stat().st_mtime_ns
    assert write_indicators(root, PARTITION_KEYS).how == "unchanged"
    assert root.local_path("indicators.parquet").stat().st_mtime_ns == written


@pytest.mark.parametrize("damage", ["missing copy", "stale copy", "unreadable table"])
def test_without_a_trustworthy_previous_build_everything_is_merged_again(tmp_path, damage):
    root = Root(str(tmp_path / "out"))
    parts = {"0": _regional_facts("d1", [1.0, 2.0]), "1": _regional_facts("d2", [1.0, 3.0], start=1),
             "2": _regional_facts("d3", [4.0], start=2)}
    _write_parts(root, parts)
    write_indicators(root, PARTITION_KEYS)
    parts["1"] = _regional_facts("d2", [5.0, 3.0], start=1)
    _write_parts(root, {"1": parts["1"]})
    if damage == "missing copy":
        root.remove("_parts/merged_facts/1.parquet")
    elif damage == "stale copy":
        write_part(root, "merged_facts", "1", facts_table(_regional_facts("d2", [7.0])))
    else:
        root.write_bytes("indicators.parquet", b"not parquet")
    assert write_indicators(root, PARTITION_KEYS).how == "rebuilt"
    assert root.read_bytes("indicators.parquet") == _full_build_bytes(tmp_path, parts)


def _figure(fid, value, surface, unit="CNY", kind="level", qualifier=None, low=None, high=None, doc="d1", **extra):
    return {**_fact(fid, doc, value, metric="地区生产总值", start=int.from_bytes(fid.encode(), "big") % 997,
                    metric_id="gdp"), "surface": surface, "unit": unit, "kind": kind, "qualifier": qualifier,
            "value_low": low, "value_high": high, **extra}


def test_values_agreeing_to_their_written_precision_are_one_indicator():
    rows = indicator_rows([_figure("a", 5.2e12, "5.2万亿元"), _figure("b", 5.20734e12, "52073.4亿元", doc="d2")])
    assert [(r["value"], r["n_sources"], r["conflict"], r["doc_ids"]) for r in rows] == [
        (5.20734e12, 2, False, ["d1", "d2"])]  # the most precise value stands for both


def test_values_beyond_their_written_precision_conflict():
    rows = indicator_rows([_figure("a", 5.2e12, "5.2万亿元"), _figure("b", 5.31e12, "5.31万亿元")])
    assert [(r["value"], r["conflict"]) for r in rows] == [(5.2e12, True), (5.31e12, True)]
    rows = indicator_rows([_figure("a", 5.2, "5.2%", unit="%", kind="change"),
                           _figure("b", 5.3, "5.3%", unit="%", kind="change")])
    assert all(r["conflict"] for r in rows) and len(rows) == 2


def test_a_bound_agrees_with_a_value_it_holds():
    rows = indicator_rows([_figure("a", 5e12, "5万亿元", qualifier="over"), _figure("b", 5.2e12, "5.2万亿元")])
    assert [(r["value"], r["qualifier"], r["n_sources"], r["conflict"]) for r in rows] == [(5.2e12, None, 2, False)]
    rows = indicator_rows([_figure("a", 6e12, "6万亿元", qualifier="over"), _figure("b", 5.2e12, "5.2万亿元")])
    assert len(rows) == 2 and all(r["conflict"] for r in rows)


def test_ranges_and_qualifiers_are_kept_on_the_indicator():
    rows = indicator_rows([_figure("a", 4.5, "4.5%-5%", unit="%", kind="target", qualifier="range", low=4.5, high=5.0),
                           _figure("b", 5.0, "5%左右", unit="%", kind="target", qualifier="approx", year=2026)])
    assert [(r["year"], r["value"], r["value_low"], r["value_high"], r["qualifier"]) for r in rows] == [
        (2025, 4.5, 4.5, 5.0, "range"), (2026, 5.0, None, None, "approx")]


def test_results_and_targets_of_one_indicator_and_year_are_rows_of_their_own():
    rows = indicator_rows([_figure("a", 5.2, "5.2%", unit="%", kind="change"),
                           _figure("b", 5.0, "5%", unit="%", kind="target")])
    assert [(r["kind"], r["value"], r["conflict"]) for r in rows] == [("change", 5.2, False), ("target", 5.0, False)]


def test_indicators_carry_the_region_hierarchy():
    county = {"region": "阿图什市", "region_code": "653001"}
    rows = indicator_rows([_figure("a", 1e9, "10亿元", **county)])
    assert [(r["province"], r["province_code"], r["prefecture"], r["prefecture_code"]) for r in rows] == [
        ("新疆维吾尔自治区", "650000", "克孜勒苏柯尔克孜自治州", "653000")]
