"""Political-text explorer: the analysis library (no Streamlit in here).

The map is in ``analysis/README.md``. Three subpackages, imported in one direction:

- :mod:`analysis.corpus` - the input side: loading, limits, cleaning, segmentation;
- :mod:`analysis.methods` - tone, terms and phrases, keyness, topics, reuse;
- :mod:`analysis.engine` - the whole analysis of a corpus, and the store it is kept in.

For a notebook, the common entry points are importable from here::

    from analysis import load, analyse
    result = analyse(load("seeds"))
    result.sentiment.documents[["doc_id", "polarity"]]

The command line is ``python -m analysis``.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> (module, attribute); imported on first use, so that ``import analysis``
#: (the command line, a worker process) stays light.
_PUBLIC = {
    "load": ("analysis.corpus.loaders", "load_paths"),
    "load_files": ("analysis.corpus.loaders", "load_files"),
    "load_seeds": ("analysis.corpus.loaders", "load_seeds"),
    "Corpus": ("analysis.corpus.model", "Corpus"),
    "Document": ("analysis.corpus.model", "Document"),
    "Limits": ("analysis.corpus.limits", "Limits"),
    "prepare": ("analysis.corpus.prepare", "prepare"),
    "doc_labels": ("analysis.corpus.labels", "doc_labels"),
    "Prepared": ("analysis.corpus.prepare", "Prepared"),
    "analyse": ("analysis.engine.analyse", "analyse"),
    "AnalysisParams": ("analysis.engine.analyse", "AnalysisParams"),
    "FullAnalysis": ("analysis.engine.analyse", "FullAnalysis"),
    "write_store": ("analysis.engine.store", "write_store"),
    "open_store": ("analysis.engine.store", "open_store"),
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name in _PUBLIC:
        module, attr = _PUBLIC[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
