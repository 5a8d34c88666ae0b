"""The benchmark suite: ``python -m bench.run`` (``make bench``). See docs/performance.md."""
