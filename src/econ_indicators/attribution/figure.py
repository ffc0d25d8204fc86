"""One figure's attribution: where, when and what it is about, and its signed value."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..gazetteer import gazetteer
from ..metrics import metric_id
from ..quantities import Quantity
from .document import DocumentContext
from .kind import figure_kind, in_scope_mode
from .metric import (
    COUNT_UNITS,
    MAX_METRIC,
    clause_before,
    counted_label,
    generic,
    list_items,
    major_clause_start,
    metric_label,
    needs_thing_counted,
)
from .sections import Scope
from .time import figure_period, figure_year

_LIST_GAP = regex.compile(r"[、和及与\s]+")


@dataclass(frozen=True)
class Attribution:
    """Where, when and what a figure is about, and its signed value."""

    region: str | None
    region_code: str | None
    year: int | None
    metric: str | None
    kind: str
    value: float | None
    sign: int = 1
    metric_id: str | None = None
    period: str | None = None
    list_index: int = 0  # its place in a list of figures (分别为2.39%、28.56%): 0 for the first
    subject: str | None = None  # the indicator its sentence speaks of, which a generic label takes


def _segment_before(sentence: str, offset: int) -> str:
    return sentence[major_clause_start(sentence, 0, offset):offset]


def attribute(q: Quantity, sentence: str, offset: int, ctx: DocumentContext,
              previous: tuple[Attribution, int] | None = None, region_code: str | None = None,
              scope: Scope | None = None) -> Attribution:
    """Attribute the quantity `q` that starts at `offset` inside `sentence`.

    `previous`: the attribution of the figure before it in the same sentence and the offset where
    that figure ends; a figure that continues its list (分别为2.39%、28.56%) takes its kind and sign,
    and the list's n-th item names it (解决率、满意率分别达97.3%和97.7%).
    `region_code`: the region the figure is about (see `region.RegionReader`).
    `scope`: the time scope of its section (see `sections.Sections`).
    """
    scope = scope or Scope()
    clause = clause_before(sentence, offset)
    after = sentence[offset + len(q.surface):]
    in_list = previous is not None and bool(_LIST_GAP.fullmatch(sentence, previous[1], offset))
    index = previous[0].list_index + 1 if in_list and previous else 0
    if q.kind:
        kind, sign = q.kind, 1
    elif in_list:
        kind, sign = previous[0].kind, previous[0].sign  # type: ignore[index]
    else:
        kind, sign = figure_kind(q, clause)
    kind = in_scope_mode(kind, scope.mode)
    metric, subject = (q.label, q.label) if q.label else _label(q, sentence, offset, clause, after, index, previous)
    value = q.value * sign if q.value is not None else None
    return Attribution(
        region=gazetteer().name(region_code) if region_code else None,
        region_code=region_code,
        year=figure_year(sentence[:offset], ctx, kind, scope, after),
        metric=metric,
        kind=kind,
        value=value,
        sign=sign,
        metric_id=_indicator(metric, subject, kind, q.unit),
        period=figure_period(sentence[:offset]),
        list_index=index,
        subject=subject,
    )


def _indicator(metric: str | None, subject: str | None, kind: str, unit: str) -> str | None:
    """The dictionary id of the metric, else of the indicator a generic label is about (同增 of
    外贸进出口值 is the trade's growth)."""
    found = metric_id(metric, kind, unit)
    if found is None and subject and metric and metric != subject and metric.startswith(subject):
        found = metric_id(subject, kind, unit)
    return found


def _label(q: Quantity, sentence: str, offset: int, clause: str, after: str, index: int,
           previous: tuple[Attribution, int] | None) -> tuple[str | None, str | None]:
    """The figure's metric and the indicator its sentence speaks of: the n-th item of the list
    before 分别, else its clause (with the thing counted after a count), else the previous
    figure's; a generic label (同增, 占GDP的, 增速居全国) is about the sentence's indicator."""
    item = _list_item(sentence, offset, clause, index)
    if item:
        return item, item
    label = metric_label(clause)
    if q.unit in COUNT_UNITS or (needs_thing_counted(label) and after.startswith("的")):
        label = counted_label(label, after.removeprefix("的"))
    subject = previous[0].subject or previous[0].metric if previous is not None else None
    if subject and generic(label):
        combined = subject + (label or "")
        return (combined if len(combined) <= MAX_METRIC else subject), subject
    return label or subject, label or subject


def _list_item(sentence: str, offset: int, clause: str, index: int) -> str | None:
    """The item a list of figures after 分别 gives the `index`-th figure (A、B分别为x、y: y → B)."""
    at = sentence.rfind("分别", 0, offset)
    if at < 0 or (index == 0 and "分别" not in clause):
        return None
    items = list_items(_segment_before(sentence, at))
    return items[index] if index < len(items) else None
