"""The input side: from files to the cleaned, segmented tables every method reads.

``model`` (documents, corpus, load errors), ``limits`` (how much the loaders read),
``loaders`` (txt, md, csv/tsv, json/jsonl, docx, pdf, html, gz, zip, uploads, the seeds),
``clean`` (repairs and boilerplate removal, every change recorded), ``segment``
(paragraphs, sentences, tokens with offsets) and ``prepare`` (corpus -> ``Prepared``).
"""
