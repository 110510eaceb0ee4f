"""Exports of a plan for people and other tools: RFC 7946 GeoJSON and maps.

These modules know GeoDataFrames and the plan's columns, never the plan's builder or its
persistence (:mod:`revlog.plan.io` uses :mod:`revlog.export.geojson`, not the reverse).
"""
