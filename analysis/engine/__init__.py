"""The engine: run every method over a corpus and keep the results.

``analyse`` (the whole analysis of a loaded corpus in one call), ``build`` (the same
for corpora of any size, streamed in chunks, written to a store) and ``store``
(the Parquet store the app and batch jobs read).
"""
