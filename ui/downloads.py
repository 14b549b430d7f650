"""CSV downloads with spreadsheet formulas neutralised."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.export import safe_csv


def download_button(label: str, table, filename: str, key: str) -> None:
    """A button that downloads ``table`` (DataFrame or list of dicts) as a safe CSV.

    The CSV is made only when the button is pressed, not on every rerun.
    """
    df = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    st.download_button(label, lambda: safe_csv(df).encode("utf-8"), file_name=filename, mime="text/csv",
                       key=key, icon=":material/download:", on_click="ignore")
