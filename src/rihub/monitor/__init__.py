"""Implementation monitoring: projects, indicators, periods, reviewed updates and their rollup
(docs/monitoring.md). :class:`rihub.monitor.hub.Monitoring` is the part of :class:`rihub.hub.Hub`
that exposes it; the rules are in :mod:`rihub.monitor.service`, the SQL in :mod:`rihub.store.monitor`.
"""
