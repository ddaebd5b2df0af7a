"""Offline fixture web for ``arshif demo`` and the end-to-end tests.

Fictional Arabic news outlets served over real HTTP on 127.0.0.1; the entry point is
:class:`crawler.demo.web.FixtureWeb` (not re-exported here, so that
``python -m crawler.demo.web`` runs without a double import). See ``README.md``.
"""
