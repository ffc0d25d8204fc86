"""Attribution: give each figure its region, year, metric and kind, from its own sentence first,
then from the document's structure (sections and paragraph leads) and metadata.

One module per concern: `document` (title, date, genre, main region), `sections` (time scopes of
headings and leads), `time`, `region`, `metric`, `kind`, and `figure`, which combines them.
"""

from .document import DocumentContext, document_context, front_matter
from .figure import Attribution, attribute
from .kind import figure_kind
from .metric import clause_before, metric_label
from .region import RegionReader, Site, main_region
from .sections import Scope, Sections
from .time import figure_period, figure_year, plan_year

__all__ = ["Attribution", "DocumentContext", "RegionReader", "Scope", "Sections", "Site", "attribute",
           "clause_before", "document_context", "figure_kind", "figure_period", "figure_year", "front_matter",
           "main_region", "metric_label", "plan_year"]
