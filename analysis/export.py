"""Safe tabular export.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-``, ``@`` (or a
tab or carriage return) as a formula, so a document that says
``=HYPERLINK(...)`` could run when a user opens our CSV. Text cells that begin
so are prefixed with a single quote; numbers are left as they are.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """``value`` with a leading ``'`` if it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) cannot start a formula."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def safe_csv(df: pd.DataFrame) -> str:
    """CSV text of ``df`` with spreadsheet formulas neutralised (see module docstring)."""
    buf = io.StringIO()
    # CRLF row ends (RFC 4180) make the writer quote any cell holding a bare
    # CR or LF, so a line break can never start a new row in a spreadsheet.
    neutralise_formulas(df).to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue()
