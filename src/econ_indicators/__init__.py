"""econ-indicators: economic figures from Chinese official texts, as Parquet tables."""

from .clean import CleanText, clean
from .load import load
from .panel import panel
from .quantities import Quantity, find_quantities
from .schema import TABLES, describe

__version__ = "0.1.0"

__all__ = ["TABLES", "CleanText", "Quantity", "__version__", "clean", "describe", "find_quantities", "load", "panel"]
