"""Every output column, declared once.

The declarations below produce the Parquet schemas (with each column's description and unit
in the field metadata), the `econ-indicators schema` listing and docs/data_dictionary.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyarrow as pa

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Column:
    """One output column: its name, Arrow type, meaning, unit (None when unitless) and an example value."""

    name: str
    type: pa.DataType
    description: str
    unit: str | None = None
    nullable: bool = True
    example: str | None = None
    distinct: bool = False  # values nearly all different: stored without a Parquet dictionary (faster, smaller)
    pandas: str | None = None  # the pandas dtype a reader gets (Int16: a nullable integer, not float)

    def field(self) -> pa.Field:
        meta = {"description": self.description}
        if self.unit:
            meta["unit"] = self.unit
        return pa.field(self.name, self.type, nullable=self.nullable, metadata=meta)


@dataclass(frozen=True)
class Table:
    """An output table: its file name, purpose, key and columns."""

    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    stage: bool = False  # an intermediate table kept under _stage/, not for analysts

    @property
    def file_name(self) -> str:
        return f"_stage/{self.name}.parquet" if self.stage else f"{self.name}.parquet"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        meta = {
            "table": self.name,
            "description": self.description,
            "key": ",".join(self.key),
            "schema_version": SCHEMA_VERSION,
        }
        typed = [c for c in self.columns if c.pandas]
        if typed:  # read by pyarrow's pandas conversion (pd.read_parquet): nullable integers stay integers
            meta["pandas"] = json.dumps({"index_columns": [], "column_indexes": [], "columns": [
                {"name": c.name, "field_name": c.name, "pandas_type": str(c.type), "numpy_type": c.pandas,
                 "metadata": None} for c in typed]}, sort_keys=True)
        return pa.schema([c.field() for c in self.columns], metadata=meta)


_STR = pa.string()
_XIAN = "samples/03_xian_2025_statistical_communique_pdftext"

# Columns that several tables share, declared once.
DOC_ID = Column("doc_id", _STR, "Raw file's path under the raw folder, without extension.", nullable=False,
                example=_XIAN)
PATH = Column("path", _STR, "Raw file's path under the raw folder.", nullable=False, example=f"{_XIAN}.txt")
SHA256 = Column("sha256", _STR, "SHA-256 of the raw bytes.", nullable=False,
                example="e587233064f4a7f4c49c2003e86b86ae4f3f1c736a548bd4f6cc85b548cbc312")
BYTES = Column("bytes", pa.int64(), "Size of the raw file.", "byte", nullable=False, example="19236")
ENCODING = Column("encoding", _STR, "Text encoding the file was decoded with; 'pdf' for a PDF's text layer.",
                  example="utf-8")
PERIOD = Column("period", _STR, "Sub-year period within the year: M01-M07 (1-7月), Q01 (一季度), Q01-Q03, "
                "H01 (上半年), M04 (4月); null for the whole year.", example="M01-M07")
PROVINCE = Column("province", _STR, "Province-level division the region lies in (itself for a province): "
                  "全省 and its cities in one filter.", example="陕西省")
PROVINCE_CODE = Column("province_code", _STR, "6-digit code of the province.", example="610000")
PREFECTURE = Column("prefecture", _STR, "Prefecture-level division (地级市, 自治州, 地区, 盟) the region lies in, "
                    "itself for a prefecture; null for a province and for counties directly under one.",
                    example="西安市")
PREFECTURE_CODE = Column("prefecture_code", _STR, "6-digit code of the prefecture.", example="610100")
HIERARCHY = (PROVINCE, PROVINCE_CODE, PREFECTURE, PREFECTURE_CODE)
METRIC_ID = Column("metric_id", _STR, "Canonical indicator from the metric dictionary (gdp, gdp_growth, "
                   "fiscal_revenue, ...); null when the label is not in it.", example="gdp")

FACTS = Table(
    name="facts",
    description="One row per figure found in a document, with its attribution and provenance.",
    key=("fact_id",),
    columns=(
        Column("fact_id", _STR, "Stable id: hash of doc_id, raw offsets and surface.", nullable=False,
               example="1fb67741d6f6937d", distinct=True),
        DOC_ID,
        Column("region", _STR, "Administrative area the figure is about (full official name).", example="西安市"),
        Column("region_code", _STR, "6-digit administrative division code of the region.", example="610100"),
        *HIERARCHY,
        Column("year", pa.int16(), "Year the figure refers to (not the publication year).", "year",
               example="2025", pandas="Int16"),
        PERIOD,
        Column("metric", _STR, "Short label of what is measured, taken from the text (<= 30 chars).",
               example="西安市地区生产总值"),
        METRIC_ID,
        Column("value", pa.float64(), "Value in base units (magnitudes expanded); null when masked; "
               "the low end of a range.", "unit", example="1390267000000.0"),
        Column("value_low", pa.float64(), "Low end of a range (3至5亿元 → 3e8); null for a single figure.", "unit",
               example="300000000.0"),
        Column("value_high", pa.float64(), "High end of a range (3至5亿元 → 5e8); null for a single figure.",
               "unit", example="500000000.0"),
        Column("unit", _STR, "Canonical unit code (CNY, %, pct_point, t, kW, person, ...).", nullable=False,
               example="CNY"),
        Column("surface", _STR, "The figure as written in the clean text.", nullable=False, example="13902.67亿元",
               distinct=True),
        Column("qualifier", _STR, "approx | over | under | range | null: how the text bounds the figure.",
               example="over"),
        Column("kind", _STR, "level | change | share | rank | target | standard | other.", nullable=False,
               example="level"),
        Column("masked", pa.bool_(), "True when the text hides the number (X亿元).", nullable=False,
               example="false"),
        Column("sentence", _STR, "The clean sentence the figure stands in.",
               example="2025年西安市地区生产总值13902.67亿元，按不变价格计算，比上年增长4.7%。", distinct=True),
        Column("char_start", pa.int64(), "Offset of the figure's first character in the raw text.", "char",
               example="287"),
        Column("char_end", pa.int64(), "Offset just past the figure's last character in the raw text.", "char",
               example="298"),
    ),
)

INDICATORS = Table(
    name="indicators",
    description="One row per (region, year, metric_id or metric, unit, kind, period) and value: agreeing facts "
                "merged, conflicts kept.",
    key=("region_code", "year", "metric_id", "metric", "unit", "kind", "period", "value"),
    columns=(
        Column("region", _STR, "Administrative area (full official name).", example="西安市"),
        Column("region_code", _STR, "6-digit administrative division code.", example="610100"),
        *HIERARCHY,
        Column("year", pa.int16(), "Year the indicator refers to.", "year", example="2025", pandas="Int16"),
        PERIOD,
        METRIC_ID,
        Column("metric", _STR, "Metric label (the first in sort order when several labels share a metric_id).",
               nullable=False, example="西安市地区生产总值"),
        Column("unit", _STR, "Canonical unit code.", nullable=False, example="CNY"),
        Column("kind", _STR, "level | change | share | rank | target | standard | other.", nullable=False,
               example="level"),
        Column("value", pa.float64(), "Value in base units; null when masked; the low end of a range. Of "
               "facts that agree to the precision they were written with (5.2万亿元, 52073.4亿元), the most "
               "precise.", "unit", example="1390267000000.0"),
        Column("value_low", pa.float64(), "Low end of a range (4.5%-5%); null for a single figure.", "unit",
               example="4.5"),
        Column("value_high", pa.float64(), "High end of a range; null for a single figure.", "unit",
               example="5.0"),
        Column("qualifier", _STR, "approx | over | under | range | null, as the most precise fact states it.",
               example="approx"),
        Column("n_sources", pa.int32(), "Number of facts that state this value (to their written precision).",
               nullable=False, example="1"),
        Column("conflict", pa.bool_(), "True when other facts give a value for the same key that does not "
               "agree with this one to the precision either was written with; only for indicators of the "
               "dictionary (a bare label such as 占比 names many things).", nullable=False, example="false"),
        Column("fact_ids", pa.list_(_STR), "Ids of the facts behind this row.", nullable=False,
               example='["1fb67741d6f6937d"]', distinct=True),
        Column("doc_ids", pa.list_(_STR), "Documents the facts come from.", nullable=False,
               example=f'["{_XIAN}"]'),
    ),
)

GENRE = Column("genre", _STR, "What kind of text it is: work_report, budget_report, communique, "
               "periodic_release, speech or news (null when no cue says).", example="communique")

DOCUMENTS = Table(
    name="documents",
    description="One row per raw file: what was read, how, and any error.",
    key=("doc_id",),
    columns=(
        DOC_ID, PATH, SHA256, BYTES, ENCODING,
        Column("title", _STR, "Document title as found in the text.", example="西安市2025年国民经济和社会发展统计公报"),
        Column("published", pa.date32(), "Publication date found in the text (full date, or a dateline "
               "with the year from context).", example="2026-05-15"),
        Column("year", pa.int16(), "Year that figures without a year of their own refer to.", "year",
               example="2025", pandas="Int16"),
        Column("region", _STR, "The document's own region (what 全市/我市 refer to).", example="西安市"),
        GENRE,
        Column("status", _STR, "ok | damaged | failed. damaged: read with repairs (bytes no encoding reads "
               "replaced by U+FFFD, segments in another encoding); the facts of the text read are kept.",
               nullable=False, example="ok"),
        Column("error", _STR, "Why the document failed, or what was damaged (null when ok).",
               example="empty file"),
        Column("n_facts", pa.int32(), "Number of facts extracted.", nullable=False, example="330"),
    ),
)

RAW_TEXTS = Table(
    name="raw_texts",
    description="Raw files decoded to text (intermediate).",
    key=("doc_id",),
    stage=True,
    columns=(
        DOC_ID, PATH, SHA256, BYTES, ENCODING,
        Column("text", pa.large_string(), "Decoded text (null when the file could not be read).",
               example="西安市2025年国民经济和社会发展统计公报…", distinct=True),
        Column("error", _STR, "Why the file could not be read.", example="empty file"),
        Column("damage", _STR, "What was damaged in a file read with repairs (null when read whole).",
               example="3 undecodable bytes replaced by U+FFFD (first at byte 1,950)"),
    ),
)

CLEAN_TEXTS = Table(
    name="clean_texts",
    description="Cleaned texts with their map back to raw offsets (intermediate).",
    key=("doc_id",),
    stage=True,
    columns=(
        DOC_ID,
        Column("text", pa.large_string(), "Clean text.", example="西安市2025年国民经济和社会发展统计公报…",
               distinct=True),
        Column("raw_index", pa.large_binary(), "Raw offset of each clean character (int32 array).",
               example="(binary: 4 bytes per clean character)"),
        Column("title", _STR, "Document title.", example="西安市2025年国民经济和社会发展统计公报"),
        Column("published", pa.date32(), "Publication date.", example="2026-05-15"),
        Column("year", pa.int16(), "The year most figures of the document refer to.", "year", example="2025",
               pandas="Int16"),
        Column("region", _STR, "The document's own region.", example="西安市"),
        Column("region_code", _STR, "6-digit code of the document's own region.", example="610100"),
        GENRE,
        Column("error", _STR, "Why cleaning failed.", example="cleaning failed: ValueError: ..."),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (FACTS, INDICATORS, DOCUMENTS, RAW_TEXTS, CLEAN_TEXTS)
}
OUTPUT_TABLES = ("facts", "indicators", "documents")


def describe() -> str:
    """A plain-text listing of every table and column (what `econ-indicators schema` prints)."""
    lines: list[str] = []
    for table in (TABLES[name] for name in OUTPUT_TABLES):
        lines.append(f"{table.file_name}: {table.description}")
        width = max(len(c.name) for c in table.columns)
        for c in table.columns:
            unit = f" [{c.unit}]" if c.unit else ""
            null = "" if c.nullable else " (required)"
            lines.append(f"  {c.name:<{width}}  {str(c.type):<14} {c.description}{unit}{null}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


DICTIONARY_PATH = "docs/data_dictionary.md"
_DICTIONARY_HEAD = """# Data dictionary

Generated from `src/econ_indicators/schema.py` by `make dictionary`; do not edit by hand.
Every table is a Parquet file under the output folder (default `data/processed/`); each field
also carries its description and unit in the Parquet metadata. Load them with
`econ_indicators.load(name)`, which turns `unit`, `kind` and `region` into pandas categoricals
and `year` into a nullable integer (`Int16`). A `unit` of `unit` means: in the row's `unit` column.
"""


def _cell(text: str | None) -> str:
    """A Markdown table cell: pipes escaped, empty when there is nothing to say."""
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def _table_markdown(table: Table) -> list[str]:
    lines = [f"## {table.name}", "", f"`{table.file_name}`: {table.description}", "",
             f"Key: {', '.join(f'`{k}`' for k in table.key)}", "",
             "| column | type | unit | required | description | example |",
             "|---|---|---|---|---|---|"]
    for c in table.columns:
        example = f"`{_cell(c.example)}`" if c.example else ""
        lines.append(f"| `{c.name}` | {c.type} | {_cell(c.unit)} | {'yes' if not c.nullable else ''} "
                     f"| {_cell(c.description)} | {example} |")
    return [*lines, ""]


def data_dictionary_markdown() -> str:
    """docs/data_dictionary.md: every column of every table, output tables first."""
    lines = [_DICTIONARY_HEAD, "# Output tables", ""]
    for name in OUTPUT_TABLES:
        lines += _table_markdown(TABLES[name])
    lines += ["# Intermediate tables", "", "Kept under `_stage/` between the pipeline's steps; not meant for "
              "analysis.", ""]
    for table in TABLES.values():
        if table.stage:
            lines += _table_markdown(table)
    return "\n".join(lines).rstrip() + "\n"
