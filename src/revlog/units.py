"""Unit conversions, written once (names carry their units)."""

from __future__ import annotations

#: Kilograms per tonne.
KG_PER_T = 1000.0
#: Minutes per hour.
MIN_PER_H = 60.0
#: Seconds per hour.
S_PER_H = 3600.0
#: Hours per calendar day.
HOURS_PER_DAY = 24.0
#: Days per (non-leap) year.
DAYS_PER_YEAR = 365.0
#: Metres per kilometre.
M_PER_KM = 1000.0
#: Hours per year of the periodic plan (365 days).
HOURS_PER_YEAR = 365 * HOURS_PER_DAY
