"""Every output column, declared once.

The declarations below produce the Parquet schemas (with each column's description and unit
in the field metadata), the `econ-indicators schema` listing and the data dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Column:
    """One output column: its name, Arrow type, meaning and unit (None when unitless)."""

    name: str
    type: pa.DataType
    description: str
    unit: str | None = None
    nullable: bool = True

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
        return pa.schema([c.field() for c in self.columns], metadata=meta)


_STR = pa.string()

# Columns that several tables share, declared once.
DOC_ID = Column("doc_id", _STR, "Raw file's path under the raw folder, without extension.", nullable=False)
PATH = Column("path", _STR, "Raw file's path under the raw folder.", nullable=False)
SHA256 = Column("sha256", _STR, "SHA-256 of the raw bytes.", nullable=False)
BYTES = Column("bytes", pa.int64(), "Size of the raw file.", "byte", nullable=False)
ENCODING = Column("encoding", _STR, "Text encoding the file was decoded with; 'pdf' for a PDF's text layer.")
PERIOD = Column("period", _STR, "Sub-year period within the year: M01-M07 (1-7月), Q01 (一季度), Q01-Q03, "
                "H01 (上半年), M04 (4月); null for the whole year.")
METRIC_ID = Column("metric_id", _STR, "Canonical indicator from the metric dictionary (gdp, gdp_growth, "
                   "fiscal_revenue, ...); null when the label is not in it.")

FACTS = Table(
    name="facts",
    description="One row per figure found in a document, with its attribution and provenance.",
    key=("fact_id",),
    columns=(
        Column("fact_id", _STR, "Stable id: hash of doc_id, raw offsets and surface.", nullable=False),
        DOC_ID,
        Column("region", _STR, "Administrative area the figure is about (full official name)."),
        Column("region_code", _STR, "6-digit administrative division code of the region."),
        Column("year", pa.int16(), "Year the figure refers to (not the publication year).", "year"),
        PERIOD,
        Column("metric", _STR, "Short label of what is measured, taken from the text (<= 30 chars)."),
        METRIC_ID,
        Column("value", pa.float64(), "Value in base units (magnitudes expanded); null when masked; "
               "the low end of a range.", "unit"),
        Column("value_low", pa.float64(), "Low end of a range (3至5亿元 → 3e8); null for a single figure.", "unit"),
        Column("value_high", pa.float64(), "High end of a range (3至5亿元 → 5e8); null for a single figure.", "unit"),
        Column("unit", _STR, "Canonical unit code (CNY, %, pct_point, t, kW, person, ...).", nullable=False),
        Column("surface", _STR, "The figure as written in the clean text.", nullable=False),
        Column("qualifier", _STR, "approx | over | under | range | null: how the text bounds the figure."),
        Column("kind", _STR, "level | change | share | rank | target | standard | other.", nullable=False),
        Column("masked", pa.bool_(), "True when the text hides the number (X亿元).", nullable=False),
        Column("sentence", _STR, "The clean sentence the figure stands in."),
        Column("char_start", pa.int64(), "Offset of the figure's first character in the raw text.", "char"),
        Column("char_end", pa.int64(), "Offset just past the figure's last character in the raw text.", "char"),
    ),
)

INDICATORS = Table(
    name="indicators",
    description="One row per (region, year, metric, unit, kind): agreeing facts merged, conflicts kept.",
    key=("region_code", "year", "metric_id", "metric", "unit", "kind", "period", "value"),
    columns=(
        Column("region", _STR, "Administrative area (full official name)."),
        Column("region_code", _STR, "6-digit administrative division code."),
        Column("year", pa.int16(), "Year the indicator refers to.", "year"),
        PERIOD,
        METRIC_ID,
        Column("metric", _STR, "Metric label (the first in sort order when several labels share a metric_id).",
               nullable=False),
        Column("unit", _STR, "Canonical unit code.", nullable=False),
        Column("kind", _STR, "level | change | share | rank | target | standard | other.", nullable=False),
        Column("value", pa.float64(), "Value in base units; null when masked.", "unit"),
        Column("n_sources", pa.int32(), "Number of facts that state this value.", nullable=False),
        Column("conflict", pa.bool_(), "True when other facts give another value for the same key.",
               nullable=False),
        Column("fact_ids", pa.list_(_STR), "Ids of the facts behind this row.", nullable=False),
        Column("doc_ids", pa.list_(_STR), "Documents the facts come from.", nullable=False),
    ),
)

DOCUMENTS = Table(
    name="documents",
    description="One row per raw file: what was read, how, and any error.",
    key=("doc_id",),
    columns=(
        DOC_ID, PATH, SHA256, BYTES, ENCODING,
        Column("title", _STR, "Document title as found in the text."),
        Column("published", pa.date32(), "Publication date found in the text (full date, or a dateline "
               "with the year from context)."),
        Column("year", pa.int16(), "Year that figures without a year of their own refer to.", "year"),
        Column("region", _STR, "The document's own region (what 全市/我市 refer to)."),
        Column("status", _STR, "ok | failed.", nullable=False),
        Column("error", _STR, "Why the document failed (null when ok)."),
        Column("n_facts", pa.int32(), "Number of facts extracted.", nullable=False),
    ),
)

RAW_TEXTS = Table(
    name="raw_texts",
    description="Raw files decoded to text (intermediate).",
    key=("doc_id",),
    stage=True,
    columns=(
        DOC_ID, PATH, SHA256, BYTES, ENCODING,
        Column("text", pa.large_string(), "Decoded text (null when the file could not be read)."),
        Column("error", _STR, "Why the file could not be read."),
    ),
)

CLEAN_TEXTS = Table(
    name="clean_texts",
    description="Cleaned texts with their map back to raw offsets (intermediate).",
    key=("doc_id",),
    stage=True,
    columns=(
        DOC_ID,
        Column("text", pa.large_string(), "Clean text."),
        Column("raw_index", pa.large_binary(), "Raw offset of each clean character (int32 array)."),
        Column("title", _STR, "Document title."),
        Column("published", pa.date32(), "Publication date."),
        Column("year", pa.int16(), "The year most figures of the document refer to.", "year"),
        Column("region", _STR, "The document's own region."),
        Column("region_code", _STR, "6-digit code of the document's own region."),
        Column("error", _STR, "Why cleaning failed."),
    ),
)

EXTRACTION_ERRORS = Table(
    name="extraction_errors",
    description="Documents whose figure extraction failed (intermediate).",
    key=("doc_id",),
    stage=True,
    columns=(
        DOC_ID,
        Column("error", _STR, "Why extraction failed.", nullable=False),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (FACTS, INDICATORS, DOCUMENTS, RAW_TEXTS, CLEAN_TEXTS, EXTRACTION_ERRORS)
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
