"""Evaluations of the features that guess (``make eval``): one module per feature.

Each module here has ``NAME`` (a heading) and ``run(quick: bool) -> Report``; ``bench.eval``
finds them, runs them and writes their tables to ``bench-results/eval.md`` (and prints them).
The sets they read are our own, written for the evaluation (never the shared sample's text).
CI runs them and asserts no thresholds: the numbers are for the report; ordinary tests assert
that each piece is correct.
"""
