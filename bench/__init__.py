"""zhucun's benchmark at province scale (issue 10): ``make bench``, ``python -m bench``.

``bench.run`` builds or reuses the demo province in the benchmark's own databases
and runs each group in a process of its own (``bench.child``): ``rollup``,
``compliance``, ``pages`` (pages and API in process), ``roster`` (import against
stock django-import-export) and ``load`` (gunicorn under 20 clients). Each figure
stands beside an anchor measured in the same run; see the README's Performance
section for what each anchor means.
"""
