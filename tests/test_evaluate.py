"""The score line: pairing rules and metrics on hand-counted examples."""

import json

import pyarrow as pa

from econ_indicators.evaluate import pair, region_right, score, score_line, year_right


def _gold(surface, value, unit="CNY", kind="level", core=True, **extra):
    row = {"surface": surface, "value": value, "unit": unit, "kind": kind, "core": core, "masked": False,
           "region": ["西安市"], "year": 2025, "metric_keywords": ["地区生产总值"]}
    return {**row, **extra}


def _fact(surface, value, unit="CNY", **extra):
    row = {"doc_id": "samples/d", "surface": surface, "value": value, "unit": unit, "masked": False,
           "region": "西安市", "year": 2025, "metric": "地区生产总值"}
    return {**row, **extra}


def test_a_change_pairs_on_its_magnitude_and_the_sign_is_scored_apart():
    gold = {"d": [_gold("下降4.1%", -4.1, unit="%", kind="change")]}
    scores = score(gold, {"d": [_fact("4.1%", 4.1, unit="%")]})
    assert scores["precision"] == 1.0 and scores["sign_acc"] == 0.0


def test_masked_pairs_only_with_masked_and_units_must_agree():
    gold_row = _gold("X亿元", None, masked=True)
    assert pair([gold_row], [_fact("X亿元", None, masked=True)])
    assert not pair([gold_row], [_fact("X亿元", None, masked=False)])
    assert not pair([_gold("5亿元", 5e8)], [_fact("5亿吨", 5e8, unit="t")])


def test_a_fact_pairs_once_and_the_gold_surface_is_preferred():
    facts = [_fact("5亿", 5e8), _fact("5亿元", 5e8)]
    pairs = pair([_gold("5亿元", 5e8), _gold("5亿元", 5e8)], facts)
    assert [f["surface"] for _, f in pairs] == ["5亿元", "5亿"]


def test_region_compares_names_without_their_suffix_and_empty_gold_wants_none():
    assert region_right(_gold("1", 1), _fact("1", 1, region="西安"))
    assert not region_right(_gold("1", 1, region=[]), _fact("1", 1, region="西安市"))
    assert region_right(_gold("1", 1, region=[]), _fact("1", 1, region=None))


def test_a_year_list_accepts_any_of_its_years():
    assert year_right(_gold("1", 1, year=[2024, 2025]), _fact("1", 1, year=2024))
    assert not year_right(_gold("1", 1, year=None), _fact("1", 1, year=2024))


def test_scores_count_spurious_rows_and_core_recall():
    gold = {"d": [_gold("5亿元", 5e8), _gold("3亿元", 3e8), _gold("2家", 2, unit="enterprise", core=False)]}
    facts = {"d": [_fact("5亿元", 5e8, metric="一句很长的话" * 6), _fact("2家", 2, unit="enterprise"),
                   _fact("7亿元", 7e8)], "other": [_fact("9亿元", 9e8)]}
    scores = score(gold, facts)
    assert scores["precision"] == round(2 / 3, 4)
    assert scores["recall"] == round(2 / 3, 4) and scores["core_recall"] == 0.5
    assert scores["f1"] == round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 4)
    assert scores["metric_acc"] == 0.5  # a label over 30 characters is not a name
    assert scores["sign_acc"] == 1.0  # no changes to judge


def test_score_line_reads_gold_beside_the_raw_texts(tmp_path):
    facts = pa.Table.from_pylist([_fact("5亿元", 5e8)])
    assert score_line(tmp_path, facts) is None
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.gold.jsonl").write_text(json.dumps(_gold("5亿元", 5e8), ensure_ascii=False) + "\n",
                                                   encoding="utf-8")
    assert score_line(tmp_path, facts) == ("precision=1.0 recall=1.0 f1=1.0 core_recall=1.0 region_acc=1.0 "
                                           "year_acc=1.0 metric_acc=1.0 sign_acc=1.0")
