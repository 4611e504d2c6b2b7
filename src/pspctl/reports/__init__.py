"""Pure report functions: DataFrames in, a DataFrame (or a small dataclass) out.

No printing, no typer, no rich: the command line renders what these return, and a notebook can
call them directly::

    import pspctl
    data = pspctl.load()
    pspctl.funding_by_year(data)

Money comes in as integer pence and goes out as ``Decimal`` pounds in columns ending ``_gbp``, so
every figure stays exact to the penny. A figure the report does not state is a missing value
(``None``), never zero.
"""

from ..schema import check_year
from .common import (
    ADDITIONAL,
    GOVERNMENT,
    INDEPENDENT_SECTORS,
    PUBLIC_SECTORS,
    REPORT_TITLE,
    data_tables,
    data_years,
    gbp,
    numeric,
    problems_frame,
    psp_labels,
    resolve_psp,
    resolve_psps,
    with_total,
    year_range,
)
from .comparison import Comparison, compare, funder_type
from .editions import Differences, differences
from .funding import funding_by_psp, funding_by_year, funding_matrix, table3_published
from .partnerships import PspDetail, psp_detail, psp_list
from .reconciliation import (
    CANDIDATE_COLUMNS,
    CHECK_COLUMNS,
    Reconciliation,
    digit_matches,
    digit_slips,
    reconcile,
    transpositions,
)
from .review import Review, review

__all__ = [
    "ADDITIONAL",
    "CANDIDATE_COLUMNS",
    "CHECK_COLUMNS",
    "GOVERNMENT",
    "INDEPENDENT_SECTORS",
    "PUBLIC_SECTORS",
    "REPORT_TITLE",
    "Comparison",
    "Differences",
    "PspDetail",
    "Reconciliation",
    "Review",
    "check_year",
    "compare",
    "data_tables",
    "data_years",
    "differences",
    "digit_matches",
    "digit_slips",
    "funder_type",
    "funding_by_psp",
    "funding_by_year",
    "funding_matrix",
    "gbp",
    "numeric",
    "problems_frame",
    "psp_detail",
    "psp_labels",
    "psp_list",
    "reconcile",
    "resolve_psp",
    "resolve_psps",
    "review",
    "table3_published",
    "transpositions",
    "with_total",
    "year_range",
]
