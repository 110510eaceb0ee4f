"""Exports of a plan: GeoJSON, CSV tables, maps."""
