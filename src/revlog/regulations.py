"""Every regulatory figure revlog applies, written once, with its source.

The scenario schema's defaults, the routing stage's :class:`~revlog.routing.problem.DrivingRules`
defaults, the input checks, the travel matrix and the scripts import these names; nothing
else in ``src/revlog`` states these numbers. Changing a rule is a one-line change here
(``tests/test_regulations.py`` proves for each constant that a new value reaches the solver
and the independent checker).

Sources are secondary copies of the texts (see ``../shared/reference/domain.md``); where a
figure is revlog's own assumption rather than a rule, the comment says so.

Outlets (MIIT 公告2019年第46号, *新能源汽车动力蓄电池回收服务网点建设和运营指南*)
    A collection-type outlet (收集型) stores temporarily, at most :data:`COLLECTION_MAX_STOCK_T`;
    a centralized-storage outlet (集中贮存型) holds at least :data:`STORAGE_MIN_STOCK_T`.

Dangerous-goods road transport (危险货物道路运输安全管理办法, MOT 2019 No. 29; Road Traffic
Safety Law implementing regulations, Art. 62)
    Speed caps (Art. 46), the 4 h / 20 min driving-break rule (Art. 62), an escort besides the
    driver (Art. 44).
"""

from __future__ import annotations

# -- outlets: MIIT 2019 outlet guideline -------------------------------------------------------
#: Largest stock a collection-type outlet may hold at any time, t (MIIT 2019 No. 46).
COLLECTION_MAX_STOCK_T = 5.0
#: Smallest stock capacity of a centralized-storage outlet, t (MIIT 2019 No. 46).
STORAGE_MIN_STOCK_T = 30.0

# -- hazmat vehicles: MOT 2019 No. 29 ------------------------------------------------------------
#: Speed cap of a dangerous-goods vehicle on expressways, km/h (MOT 2019 No. 29, Art. 46).
SPEED_CAP_EXPRESSWAY_KMH = 80.0
#: Speed cap of a dangerous-goods vehicle on all other roads, km/h (MOT 2019 No. 29, Art. 46).
SPEED_CAP_OTHER_KMH = 60.0
#: An escort (押运员) must ride besides the driver (MOT 2019 No. 29, Art. 44).
ESCORT_REQUIRED = True

# -- drivers: Road Traffic Safety Law implementing regulations, Art. 62 ---------------------------
#: Longest continuous driving without a stop, h (Art. 62: no more than 4 h).
MAX_CONTINUOUS_DRIVING_H = 4.0
#: Shortest stop that ends a continuous-driving stretch, min (Art. 62: at least 20 min).
MIN_DRIVING_BREAK_MIN = 20.0

# -- revlog's assumptions (no sourced rule for freight; defaults a scenario may change) ----------
#: Daily duty of a hazmat crew (driving + service + breaks), h. Assumption: the 8 h / 24 h
#: figure found applies to passenger transport only (domain memo §2, UNC).
DEFAULT_DUTY_H_PER_DAY = 10.0
#: Overnight rest between two duty days of a multi-day run, h. Assumption (EU-style daily rest).
DEFAULT_OVERNIGHT_REST_H = 11.0
#: Longest multi-day pickup run, days. Assumption.
DEFAULT_MAX_DAYS_PER_RUN = 3
#: Hour of day from which a shift may start. Assumption.
DEFAULT_SHIFT_START_H = 8.0
#: Longest a retired pack waits at a dealer or service shop for its pickup, days. Assumption:
#: no rule for retired traction packs at a shop was found (hazardous waste may be stored up
#: to a year, GB 18597); four months keeps a quarterly visit feasible with monthly rounds.
DEFAULT_MAX_HOLDING_DAYS = 120.0
#: Retired packs a dealer or service shop can keep in its storage area, kg. Assumption
#: (five 300 kg packs; a shop's own figure goes in the sources table's ``storage_kg``).
DEFAULT_SOURCE_STORAGE_KG = 1500.0
#: Night ban on hazmat vehicles in Gansu and Ningxia, hours of day (domain memo §2, UNC);
#: no standing ban is known for Qinghai, so scenarios have none unless they say so.
GANSU_NIGHT_BAN_H = (0.0, 5.0)
