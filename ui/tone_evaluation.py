"""The Methods page's evidence table: each tone measure's ROC AUC on each labelled set.

The figures are the ones ``scripts/evaluate_tone.py`` measured and stored
(:func:`analysis.methods.tone_evaluation.stored_evaluation`); nothing is typed in here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.methods import tone_evaluation as te


def auc_frame(result: dict) -> pd.DataFrame:
    """One row per evaluation set: ``set, texts, positive, how the classifier was tested`` and one
    column per measure (its short name) holding the ROC AUC; a row "... left out of training" follows
    each training set with the classifier's leave-one-set-out figures."""
    names = {k: v["name"] for k, v in result.get("measures", {}).items()}
    rows = []
    for s in result.get("sets", []):
        base = {"set": s.get("title", s["name"]), "texts": s["n"], "positive": s["n_positive"],
                "classifier tested": "5-fold CV, grouped by source text" if "auc_leave_one_set_out" in s
                else "never trained on"}
        rows.append(base | {names.get(k, k): v for k, v in s["auc"].items()})
        if "auc_leave_one_set_out" in s:
            rows.append({"set": f"  … {s.get('title', s['name'])}, its whole set left out of training",
                         "texts": s["n"], "positive": s["n_positive"], "classifier tested": "leave-one-set-out"}
                        | {names.get(k, k): v for k, v in s["auc_leave_one_set_out"].items()})
    return pd.DataFrame(rows)


def show_evaluation() -> None:
    """The AUC table with its reading, the date and command it was measured with, or a note if absent."""
    result = te.stored_evaluation()
    if not result or not result.get("sets"):
        st.info("The validation figures have not been computed on this installation yet "
                "(run scripts/evaluate_tone.py).")
        return
    frame = auc_frame(result)
    measures = [v["name"] for v in result["measures"].values()]
    st.dataframe(frame, hide_index=True, width="stretch", key="tone_auc", column_config={
        m: st.column_config.NumberColumn(m, format="%.2f", help=f"ROC AUC of the {w['what']}")
        for m, w in zip(measures, result["measures"].values())})
    st.markdown(
        "**ROC AUC** is the chance that a randomly picked positive text scores higher than a randomly picked "
        "negative one: 0.5 is a coin toss, 1 is perfect. Each text is scored as one document. The classifier "
        "was trained on the four Hutto & Gilbert sets, so on those rows its figure comes from models that did "
        "not see the texts scored (cross-validation, and with the whole set left out); the other sets were never "
        "used to train or tune anything. VADER's authors built the Hutto & Gilbert sets to test VADER, which "
        "flatters VADER there. Read the figures as a ranking of the methods, not as the accuracy you will get on "
        "your texts.")
    for s in result["sets"]:
        if d := s.get("classifier_minus_vader"):
            st.caption(f"{s.get('title', s['name'])}: classifier minus VADER (best of each) "
                       f"{d['difference']:+.3f}, 95% interval {d['lo']:+.3f} to {d['hi']:+.3f} "
                       f"(paired bootstrap over texts).")
    st.caption(f"Measured {result['date']} with `{result['command']}` · "
               + ", ".join(f"{a} {b}" for a, b in result.get("versions", {}).items()))


def which_to_trust(set_name: str = "kavanaugh_tweets") -> str | None:
    """One sentence for the Sentiment page: how often each method ranked a random positive text of
    ``set_name`` above a random negative one (each method's best document score), or None."""
    result = te.stored_evaluation()
    s = next((x for x in (result or {}).get("sets", []) if x["name"] == set_name), None)
    if s is None:
        return None
    auc = s["auc"]
    best = {name: max(auc.get(k, 0.0) for k in keys) for name, keys in
            (("the classifier", ("classifier", "classifier_mean")), ("VADER", ("vader_doc", "vader_mean")),
             ("TextBlob", ("polarity", "polarity_mean")))}
    parts = ", ".join(f"{name} {v:.0%}" for name, v in sorted(best.items(), key=lambda kv: -kv[1]))
    return (f"Which to trust? On {s['n']:,} hand-labelled political tweets, a random positive tweet scored above a "
            f"random negative one: {parts} of the time (50% = chance; see the Methods page).")
