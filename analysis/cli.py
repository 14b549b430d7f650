"""The command line: ``python -m analysis SUBCOMMAND PATH... [options]``.

Every subcommand loads ``PATH...`` (files, folders, zips, tables), prints load
errors to stderr, writes its result to stdout as JSON or CSV, and exits with
status 1 only when nothing could be loaded (2 for a usage error). When nothing
could be loaded, ``report --format json`` still prints its JSON, with no
documents and the ``errors``. A result with several tables (``report``,
``topics``, ``reuse``) is written whole as JSON; ``--format csv`` writes one of
them, chosen with ``--table`` (see :data:`CSV_TABLES`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Callable

import numpy as np
import pandas as pd

from analysis import __version__
from analysis.corpus.loaders import load_paths
from analysis.export import safe_csv
from analysis.corpus.limits import Limits
from analysis.corpus.prepare import Prepared, prepare

COMMANDS: dict[str, Callable] = {}

#: The tables ``--format csv --table NAME`` can write, per subcommand; the
#: first is the default.
CSV_TABLES: dict[str, tuple[str, ...]] = {
    "report": ("documents", "groups"),
    "topics": ("assignments", "topics"),
    "reuse": ("passages", "similarity"),
    "phrase-tone": ("documents", "groups", "years", "occurrences"),
}


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
    p.add_argument("--by", help="metadata column to aggregate by (date: by year)")
    _exclude_argument(p)
    _table_argument(p, "report", "documents: one row per document; groups: one row per --by group")
    p = sub.add_parser("sentences", parents=[common], help="every sentence with its offsets and scores")
    p.add_argument("--phrase", action="append", default=[],
                   help="a tracked phrase, left out of the scores with --exclude-phrases (repeatable)")
    _exclude_argument(p)
    p = sub.add_parser("cleaning", parents=[common], help="what cleaning removed (and repaired), and where")
    p.add_argument("--repairs", action="store_true",
                   help="also list every character repair (quotes, dashes, mojibake, ...) as a row with "
                        "its replacement")

    p = sub.add_parser("phrases", parents=[common], help="phrase counts and positions")
    p.add_argument("--phrase", action="append", required=True, help="a phrase to track (repeatable)")
    p.add_argument("--by", help="metadata column to aggregate by (default: per document; date: by year)")
    p = sub.add_parser("kwic", parents=[common], help="keyword in context")
    p.add_argument("--phrase", required=True)
    p.add_argument("--window", type=int, default=7, help="words of context on each side")
    p.add_argument("--sort", choices=["left", "right"], default=None)
    p = sub.add_parser("phrase-tone", parents=[common],
                       help="tone of the sentence and of the words around each occurrence of a phrase")
    p.add_argument("--phrase", action="append", required=True, help="a phrase to track (repeatable)")
    p.add_argument("--by", help="metadata column to aggregate by (the groups table; date: by year)")
    p.add_argument("--window", type=int, default=25, help="words on each side of the phrase (default 25)")
    _table_argument(p, "phrase-tone", "documents / groups / years: one row per phrase, context, method and "
                    "document / --by group / year; occurrences: one row per occurrence and context")
    p = sub.add_parser("keyness", parents=[common], help="distinctive terms of a group")
    p.add_argument("--by", required=True, help="metadata column that defines the groups")
    p.add_argument("--group", required=True, help="the target group's value")
    p.add_argument("--reference", help="a reference group's value (default: all other documents)")
    p.add_argument("--top", type=int, default=50)
    p = sub.add_parser("topics", parents=[common], help="topic clusters")
    p.add_argument("--k", type=int, help="number of topics (default: chosen automatically)")
    p.add_argument("--units", choices=["paragraphs", "documents", "sentences", "auto"], default="auto")
    _table_argument(p, "topics", "assignments: one row per unit; topics: one row per topic and term")
    p = sub.add_parser("reuse", parents=[common], help="similarity and shared passages")
    p.add_argument("--min-words", type=int, default=8)
    _table_argument(p, "reuse", "passages: one row per shared passage; similarity: one row per pair")
    # --- build: precompute an analysis store (analysis/build.py owns its options) ---
    from analysis.engine.build import add_build_parser

    add_build_parser(sub)
    parser.subcommand_parsers = sub.choices  # for usage errors under the subcommand's own usage line
    return parser


def _exclude_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--exclude-phrases", action="store_true",
                   help="leave the words of the --phrase phrases out of the sentiment scores "
                        "(their characters are replaced by spaces before scoring)")


def _table_argument(p: argparse.ArgumentParser, command: str, what: str) -> None:
    names = CSV_TABLES[command]
    p.add_argument("--table", choices=names, default=None,
                   help=f"with --format csv, the table to write (default: {names[0]}); {what}. "
                        "JSON always holds every table")


def _check_usage(parser: argparse.ArgumentParser, args) -> None:
    """Usage errors argparse cannot see (exit 2 with a message)."""
    parser = getattr(parser, "subcommand_parsers", {}).get(args.command, parser)
    table = getattr(args, "table", None)
    if table is not None and args.format != "csv":
        parser.error(f"--table {table} selects the CSV table; add --format csv "
                     "(the JSON output holds every table)")
    if args.command == "phrase-tone" and args.window < 1:
        parser.error("--window must be at least 1")
    if table == "groups" and not args.by:
        parser.error("--table groups needs --by COLUMN")
    if getattr(args, "exclude_phrases", False) and not args.phrase:
        parser.error("--exclude-phrases needs at least one --phrase")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "build":  # streams its own input in chunks (analysis/build.py)
        return args.func(args)
    _check_usage(parser, args)
    limits = Limits.from_env(preset="local" if args.local_limits else None)
    corpus = load_paths(args.paths, text_column=args.text_column, id_column=args.id_column, limits=limits)
    for err in corpus.errors:
        print(f"error: {err.path}: {err.reason}", file=sys.stderr)
    if not corpus.documents:
        print("error: nothing could be loaded", file=sys.stderr)
        if args.command == "report" and args.format == "json":  # scripts still get the errors field
            empty = {"documents": [], "groups": [], "errors": _errors(corpus)}
            json.dump(_plain(empty), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
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
        if isinstance(table, dict):  # several tables: --table picks one (CSV_TABLES)
            table = table[getattr(args, "table", None) or CSV_TABLES[args.command][0]]
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


def _errors(prepared) -> list[dict]:
    """The load errors of a :class:`Prepared` (or a :class:`Corpus`) as JSON records."""
    return [{"path": e.path, "reason": e.reason} for e in prepared.errors]


@command("report")
def cmd_report(prepared: Prepared, args) -> tuple[dict, pd.DataFrame]:
    from analysis.report import document_report, group_report

    from analysis.methods.sentiment import score_corpus

    if args.by:
        _require_column(prepared, args.by)
    excluded = args.phrase if args.exclude_phrases else ()
    tables = score_corpus(prepared.docs, prepared.sentences, exclude_phrases=excluded)
    docs = document_report(prepared, args.phrase, sentiment=tables)
    result = {"documents": docs, "groups": [], "errors": _errors(prepared)}
    groups = pd.DataFrame()
    if args.by:
        groups = group_report(prepared, args.phrase, args.by, sentiment=tables)
        result["groups"] = groups
    table = docs.drop(columns=["phrases"]).copy()
    for p in args.phrase:
        table[f"phrase:{p}"] = [d.get(p) for d in docs["phrases"]]
    return result, {"documents": table, "groups": groups}


@command("sentences")
def cmd_sentences(prepared: Prepared, args):
    from analysis.methods.sentiment import score_sentences

    excluded = args.phrase if args.exclude_phrases else ()
    table = score_sentences(prepared.sentences, exclude_phrases=excluded)
    cols = ["doc_id", "para", "sent", "start", "end", "text", "polarity", "subjectivity", "vader", "classifier"]
    if excluded:  # True where a phrase was masked before scoring
        cols.append("masked")
    table = table[cols]
    return table, table


@command("cleaning")
def cmd_cleaning(prepared: Prepared, args):
    """Removals ``doc_id, rule, start, end, text``; with ``--repairs`` also every character
    repair, each row then with ``replacement`` (what the text became: "" for a removal) and
    ``kind`` ("removal" or "repair"). Offsets index the text as loaded: ``raw[start:end] == text``."""
    table = prepared.removals
    if not getattr(args, "repairs", False):
        return table, table
    from analysis.corpus.clean import repair_records

    rows = repair_records(prepared.docs["doc_id"], prepared.docs["raw_text"]) if prepared.cleaned else []
    repairs = pd.DataFrame(rows, columns=["doc_id", "rule", "start", "end", "text", "replacement"])
    table = pd.concat([table.assign(replacement="", kind="removal"), repairs.assign(kind="repair")],
                      ignore_index=True)
    order = {d: i for i, d in enumerate(prepared.docs["doc_id"])}
    table = table.sort_values(["start"], kind="stable").sort_values(
        "doc_id", key=lambda ids: ids.map(order), kind="stable").reset_index(drop=True)
    return table, table


@command("phrases")
def cmd_phrases(prepared: Prepared, args):
    from analysis.report import phrase_table

    if args.by:
        _require_column(prepared, args.by)
    table = phrase_table(prepared, args.phrase, args.by)
    flat = table.assign(positions=table["positions"].map(lambda ps: " ".join(":".join(map(str, p)) for p in ps)))
    return table, flat


@command("kwic")
def cmd_kwic(prepared: Prepared, args):
    from analysis.methods.phrases import kwic

    table = kwic(prepared.docs, args.phrase, window=args.window, sort=args.sort)
    table = table[["doc_id", "start", "end", "left", "match", "right"]]
    return table, table


@command("phrase-tone")
def cmd_phrase_tone(prepared: Prepared, args):
    """Tone near each phrase: per document, per ``--by`` group, per year, and every occurrence."""
    from analysis.corpus.labels import doc_labels
    from analysis.methods import phrase_tone as pt
    from analysis.methods.sentiment import score_corpus

    if args.by:
        _require_column(prepared, args.by)
    docs = prepared.docs
    occ = pt.occurrences(docs, args.phrase, window=args.window, sentences=prepared.sentences)
    scores = score_corpus(docs, prepared.sentences).documents
    titles = doc_labels(docs)
    tables = {"documents": pt.tone_table(occ, docs, scores, None, args.window, names=titles),
              "groups": pt.tone_table(occ, docs, scores, args.by, args.window) if args.by else
              pd.DataFrame(columns=pt.AGGREGATE_COLUMNS + ["reading"]),
              "years": pt.tone_table(occ, docs, scores, "date", args.window) if "date" in docs else
              pd.DataFrame(columns=pt.AGGREGATE_COLUMNS + ["reading"]),
              "occurrences": pt.with_evidence(occ, docs)}
    result = {"window": args.window, "methods": {k: m.label for k, m in pt.METHODS.items()}, **tables,
              "errors": _errors(prepared)}
    return result, tables


@command("keyness")
def cmd_keyness(prepared: Prepared, args):
    from analysis.report import grouped_docs
    from analysis.methods.keyness import keyness

    _require_column(prepared, args.by)
    # groups as report and phrases form them: stripped values, dates by year
    table = keyness(grouped_docs(prepared.docs, args.by), by=args.by, target=args.group, reference=args.reference)
    cols = ["term", "count_target", "count_reference", "g2", "log_ratio", "logodds_z"]
    table = table[cols].head(args.top)
    return table, table


@command("topics")
def cmd_topics(prepared: Prepared, args):
    from analysis.methods.topics import TopicModel

    model = TopicModel(k=args.k, units=args.units).fit(prepared)
    result = model.to_dict()
    terms = pd.DataFrame([(t["topic"], rank, term) for t in result["topics"]
                          for rank, term in enumerate(t["terms"], start=1)], columns=["topic", "rank", "term"])
    assignments = pd.DataFrame(result["assignments"], columns=["doc_id", "unit", "topic", "weight"])
    return result, {"assignments": assignments, "topics": terms}


@command("reuse")
def cmd_reuse(prepared: Prepared, args):
    from analysis.methods.reuse import shared_passages, similarity_pairs

    passages = shared_passages(prepared.docs, min_words=args.min_words)
    similarity = similarity_pairs(prepared.docs)
    result = {"similarity": similarity, "passages": passages}
    return result, {"passages": passages, "similarity": similarity}


def _require_column(prepared: Prepared, column: str) -> None:
    """Exit with status 2 and a clear message if ``column`` is not a metadata column."""
    if column not in prepared.docs:
        skip = {"text", "raw_text", "n_words", "n_sentences", "n_paragraphs"}
        cols = ", ".join(c for c in prepared.docs.columns if c not in skip)
        print(f"error: no metadata column {column!r}; columns: {cols}", file=sys.stderr)
        raise SystemExit(2)

