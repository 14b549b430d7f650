"""The engine: run every method over a corpus and keep the results.

``analyse`` (the whole analysis of a loaded corpus in one call), ``build`` (the same for
corpora of any size: Dask tasks on slices of documents, on a local cluster or a running Dask
scheduler, written to a store) and ``store`` (the Parquet store the app and batch jobs read).
Imports flow one way inside: params, results <- stages, topic_stage <- analyse, build;
store_format <- aggregates <- store_reader <- store_writer <- build; ``store`` gathers the names.
"""
