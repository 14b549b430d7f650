"""The command line: ``python -m analysis SUBCOMMAND PATH... [options]``.

Every subcommand loads ``PATH...`` (files, folders, zips, tables), prints load
errors to stderr, writes its result to stdout as JSON or CSV, and exits with
status 1 only when nothing could be loaded (2 for a usage error).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Callable

import numpy as np
import pandas as pd

from . import __version__
from .corpus import load_paths
from .export import safe_csv
from .limits import Limits
from .pipeline import Prepared, prepare

COMMANDS: dict[str, Callable] = {}


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn
    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, zips or tables")
    common.add_argument("--format", choices=["json", "csv"], default="json")
    common.add_argument("--text-column", help="text column of CSV/TSV/JSON tables (default: detected)")
    common.add_argument("--id-column", help="id column of tables (default: doc_id/id, else row number)")
    common.add_argument("--no-clean", action="store_true", help="skip normalisation and boilerplate removal")
    common.add_argument("--local-limits", action="store_true",
                        help="use the generous limits for a local machine instead of the hosted-demo ones")
    sub = parser.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser("report", parents=[common], help="per-document figures (and per group with --by)")
    p.add_argument("--phrase", action="append", default=[], help="a phrase to count (repeatable)")
    p.add_argument("--by", help="metadata column to aggregate by")
    sub.add_parser("sentences", parents=[common], help="every sentence with its offsets and scores")
    sub.add_parser("cleaning", parents=[common], help="what cleaning removed, and where")

    p = sub.add_parser("phrases", parents=[common], help="phrase counts and positions")
    p.add_argument("--phrase", action="append", required=True, help="a phrase to track (repeatable)")
    p.add_argument("--by", help="metadata column to aggregate by (default: per document)")
    p = sub.add_parser("kwic", parents=[common], help="keyword in context")
    p.add_argument("--phrase", required=True)
    p.add_argument("--window", type=int, default=7, help="words of context on each side")
    p.add_argument("--sort", choices=["left", "right"], default=None)
    p = sub.add_parser("keyness", parents=[common], help="distinctive terms of a group")
    p.add_argument("--by", required=True, help="metadata column that defines the groups")
    p.add_argument("--group", required=True, help="the target group's value")
    p.add_argument("--reference", help="a reference group's value (default: all other documents)")
    p.add_argument("--top", type=int, default=50)
    p = sub.add_parser("topics", parents=[common], help="topic clusters")
    p.add_argument("--k", type=int, help="number of topics (default: chosen automatically)")
    p.add_argument("--units", choices=["paragraphs", "documents", "sentences", "auto"], default="auto")
    p = sub.add_parser("reuse", parents=[common], help="similarity and shared passages")
    p.add_argument("--min-words", type=int, default=8)
    # --- build: precompute an analysis store (analysis/build.py owns its options) ---
    from .build import add_build_parser

    add_build_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "build":  # streams its own input in chunks (analysis/build.py)
        return args.func(args)
    limits = Limits.local() if args.local_limits else Limits.from_env()
    corpus = load_paths(args.paths, text_column=args.text_column, id_column=args.id_column, limits=limits)
    for err in corpus.errors:
        print(f"error: {err.path}: {err.reason}", file=sys.stderr)
    if not corpus.documents:
        print("error: nothing could be loaded", file=sys.stderr)
        return 1
    prepared = prepare(corpus, clean=not args.no_clean)
    try:
        result, table = COMMANDS[args.command](prepared, args)
    except (ValueError, KeyError) as exc:  # a bad phrase, group or column: the user's input
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    if args.format == "json":
        json.dump(_plain(result), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(safe_csv(table))
    return 0


def _plain(obj):
    """JSON-ready: numpy scalars to Python, NaN/NA to null, frames to records."""
    if isinstance(obj, pd.DataFrame):
        return [_plain(r) for r in obj.to_dict("records")]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_plain(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is pd.NA or obj is pd.NaT or obj is None:
        return None
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _errors(prepared: Prepared) -> list[dict]:
    return [{"path": e.path, "reason": e.reason} for e in prepared.errors]


@command("report")
def cmd_report(prepared: Prepared, args) -> tuple[dict, pd.DataFrame]:
    from .report import document_report, group_report

    from .sentiment import score_corpus

    tables = score_corpus(prepared.docs, prepared.sentences)
    docs = document_report(prepared, args.phrase, sentiment=tables)
    result = {"documents": docs, "groups": [], "errors": _errors(prepared)}
    if args.by:
        _require_column(prepared, args.by)
        result["groups"] = group_report(prepared, args.phrase, args.by, sentiment=tables)
    table = docs.drop(columns=["phrases"]).copy()
    for p in args.phrase:
        table[f"phrase:{p}"] = [d.get(p) for d in docs["phrases"]]
    return result, table


@command("sentences")
def cmd_sentences(prepared: Prepared, args):
    from .sentiment import score_sentences

    table = score_sentences(prepared.sentences)
    cols = ["doc_id", "para", "sent", "start", "end", "text", "polarity", "subjectivity", "vader"]
    table = table[cols]
    return table, table


@command("cleaning")
def cmd_cleaning(prepared: Prepared, args):
    table = prepared.removals
    return table, table


@command("phrases")
def cmd_phrases(prepared: Prepared, args):
    from .report import phrase_table

    if args.by:
        _require_column(prepared, args.by)
    table = phrase_table(prepared, args.phrase, args.by)
    flat = table.assign(positions=table["positions"].map(lambda ps: " ".join(":".join(map(str, p)) for p in ps)))
    return table, flat


@command("kwic")
def cmd_kwic(prepared: Prepared, args):
    from .terms import kwic

    table = kwic(prepared.docs, args.phrase, window=args.window, sort=args.sort)
    table = table[["doc_id", "start", "end", "left", "match", "right"]]
    return table, table


@command("keyness")
def cmd_keyness(prepared: Prepared, args):
    from .terms import keyness

    _require_column(prepared, args.by)
    table = keyness(prepared.docs, by=args.by, target=args.group, reference=args.reference)
    cols = ["term", "count_target", "count_reference", "g2", "log_ratio", "logodds_z"]
    table = table[cols].head(args.top)
    return table, table


@command("topics")
def cmd_topics(prepared: Prepared, args):
    from .topics import TopicModel

    model = TopicModel(k=args.k, units=args.units).fit(prepared)
    result = model.to_dict()
    return result, pd.DataFrame(result["assignments"])


@command("reuse")
def cmd_reuse(prepared: Prepared, args):
    from .reuse import shared_passages, similarity_pairs

    passages = shared_passages(prepared.docs, min_words=args.min_words)
    result = {"similarity": similarity_pairs(prepared.docs), "passages": passages}
    return result, passages


def _require_column(prepared: Prepared, column: str) -> None:
    """Exit with status 2 and a clear message if ``column`` is not a metadata column."""
    if column not in prepared.docs:
        skip = {"text", "raw_text", "n_words", "n_sentences", "n_paragraphs"}
        cols = ", ".join(c for c in prepared.docs.columns if c not in skip)
        print(f"error: no metadata column {column!r}; columns: {cols}", file=sys.stderr)
        raise SystemExit(2)

