"""Political-text explorer: the analysis library (no Streamlit in here).

Load a corpus with :mod:`analysis.corpus`, prepare it with
:func:`analysis.pipeline.prepare`, then use the engines in
:mod:`analysis.sentiment`, :mod:`analysis.terms`, :mod:`analysis.topics` and
:mod:`analysis.reuse`. The command line is ``python -m analysis``.
"""

__version__ = "0.1.0"
