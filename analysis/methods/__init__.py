"""The methods: what the numbers are.

``sentiment`` (sentence, document and group tone with intervals and evidence) on the
exact lexicon scorers of ``lexicons``; ``terms`` (the document x term index, counts,
rates), ``phrases`` (tracked phrases, dispersion, keyword in context), ``keyness``
(distinctive terms of a group), ``topics`` (NMF topic clusters) and ``reuse``
(similarity and shared passages). Each reads the tables of :mod:`analysis.corpus`.
"""
