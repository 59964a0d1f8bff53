"""Schemathesis hooks of tools/schemathesis/run.mjs (loaded through SCHEMATHESIS_HOOKS).

A few key-manager rules relate query parameters to each other or to the clock, which OpenAPI 3.0 cannot
state (the spec says them in the parameter descriptions). These hooks keep generated requests inside
them, so a refusal of a request that breaks one is not reported as "schema-valid request rejected":
- revoke, renew, rotate and set-scopes name a key by exactly one of `api-key` and `id`;
- a key's `scopes` (new and set-scopes) are roles its owner (the demo user alice) holds;
- set-scopes takes exactly one of `scopes` and `all_roles=true`;
- an `expiration-date` is in the future and within the maximum key life, and not with `never_expires=true`;
- a usage report's `from` is before `to` and the range spans at most 31 days (hour) or 366 days (day).
The STAC services have such rules too:
- a `datetime` interval `start/end` does not end before it starts (nor a session search's dates);
- a Cadip session search names at least one of `id`, `platform`, or both `start_date` and `stop_date`;
- a search `bbox` has min <= max within +-180/+-90; a geometry's latitudes are within +-90 and its polygon
  rings end where they start; an item's `end_datetime` is not before its `start_datetime`;
- a PUT body carries the id of its URL.
Only values of the right shape are moved; anything else is left for the negative tests. Queries too long for
Node's header limit are not sent (see MAX_QUERY_BYTES).
"""

import copy
import hashlib
import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlencode

import schemathesis

DAY = timedelta(days=1)
# Inside the key manager's default maximum key life (365 days), with a margin for the run's own duration.
EXPIRATION_WINDOW = 360 * DAY
USAGE_MAX_SPAN = {"hour": 30 * DAY, "day": 365 * DAY}
# Node answers 431 to a request line beyond its header size limit and closes the connection while the client may
# still be sending, so the client may see a reset instead: such cases test the transport, not the app.
MAX_QUERY_BYTES = 12_000
KEY_TARGET_PATHS = {"/auth/api_key/revoke", "/auth/api_key/renew", "/auth/api_key/rotate", "/auth/api_key/scopes"}
SCOPES_PATHS = {"/auth/api_key/new", "/auth/api_key/scopes"}
# Realm roles of alice, the user the run logs in as (docker/keycloak/rs-server-realm.json).
ALICE_ROLES = ["rs_auxip_adgs_read", "rs_cadip_ins_read", "rs_cadip_mti_read", "rs_catalog_alice:s1-l1_read"]
SCOPE_PATTERN = re.compile(r"^[^\x00-\x20\x7F-\xA0]+$")
EXPIRATION_PATHS = {"/auth/api_key/new", "/auth/api_key/renew"}


def _instant(value):
    """The instant of an RFC 3339 date-time, or None when the value is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "+00:00").replace("Z", "+00:00").replace("t", "T"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _stable_fraction(value):
    """A number in [0, 1) derived from the value, so the same generated case maps the same way every run."""
    return int(hashlib.sha256(repr(value).encode()).hexdigest()[:8], 16) / 2**32


def _iso(instant):
    # isoformat, not strftime: strftime's %Y does not pad years before 1000 to four digits.
    return instant.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _is_true(value):
    return value is True or value == "true"


def _keep_expiration_in_window(query):
    original = query.get("expiration-date")
    if _instant(original) is None:
        return
    if _is_true(query.get("never_expires")):
        del query["expiration-date"]
        return
    now = datetime.now(timezone.utc)
    if not now + timedelta(minutes=10) < _instant(original) <= now + EXPIRATION_WINDOW:
        query["expiration-date"] = _iso(now + DAY + _stable_fraction(original) * (EXPIRATION_WINDOW - 2 * DAY))


def _scopes_among_held_roles(query):
    scopes = query.get("scopes")
    entries = [scopes] if isinstance(scopes, str) else scopes
    if not isinstance(entries, list) or not all(isinstance(e, str) and SCOPE_PATTERN.match(e) for e in entries):
        return
    query["scopes"] = [ALICE_ROLES[int(_stable_fraction(entry) * len(ALICE_ROLES))] for entry in entries]


def _scopes_or_all_roles(query):
    all_roles = query.get("all_roles")
    if all_roles not in (None, True, False, "true", "false"):
        return
    if _is_true(all_roles):
        query.pop("scopes", None)
    elif "scopes" not in query:
        query["all_roles"] = "true"


def _name_exactly_one_key(query):
    if "api-key" in query and "id" in query:
        del query["api-key"]
    elif "api-key" not in query and "id" not in query:
        query["id"] = str(uuid.UUID(int=int(hashlib.sha256(repr(query).encode()).hexdigest(), 16) >> 128, version=4))


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _keep_usage_range_valid(query):
    start, end = query.get("from"), query.get("to")
    granularity = query.get("granularity", "day")
    span = USAGE_MAX_SPAN.get(granularity) if isinstance(granularity, str) else None
    texts = [value for value in (start, end) if value is not None]
    if span is None or start is None or not all(isinstance(v, str) and RFC3339.match(v) for v in texts):
        return
    try:
        if end is None:
            end_instant = datetime.now(timezone.utc)
        else:
            end_instant = _instant(end)
        valid = end_instant is not None and _instant(start) is not None and end_instant - span <= _instant(start) < end_instant
    except OverflowError:
        valid = False
    if valid:
        return
    # A pair in a plain era: dates Python cannot hold (year 0, overflow near year 1) are replaced as a whole.
    if end_instant is None or end_instant.year < 2:
        end_instant = datetime(2000, 1, 1, tzinfo=timezone.utc) + _stable_fraction(end) * 10000 * DAY
        query["to"] = _iso(end_instant)
    query["from"] = _iso(end_instant - timedelta(hours=1) - _stable_fraction(start) * (span - 2 * DAY))


STAC_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)


def _days_from_civil(year, month, day):
    """Days since 1970-01-01 of a proleptic Gregorian date, year 0 included (Python's datetime starts at 1)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _stac_instant(value):
    """Seconds since the epoch of a STAC service's ISO 8601 date or date-time as JavaScript's Date reads it (a
    31st of a shorter month rolls over into the next; no zone is UTC here), or None when it is not one."""
    match = STAC_DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    seconds = (_days_from_civil(int(year), int(month), 1) + int(day) - 1) * 86400
    seconds += int(hour or 0) * 3600 + int(minute or 0) * 60 + int(second or 0) + float(f"0.{fraction or 0}")
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        seconds -= (1 if zone[0] == "+" else -1) * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return seconds


def _order_interval(query, name):
    value = query.get(name)
    if not isinstance(value, str) or value.count("/") != 1:
        return
    start, end = value.split("/")
    try:
        if None not in (_stac_instant(start), _stac_instant(end)) and _stac_instant(start) > _stac_instant(end):
            query[name] = f"{end}/{start}"
    except (TypeError, OverflowError):
        pass


def _session_search_criteria(query):
    start, stop = _stac_instant(query.get("start_date")), _stac_instant(query.get("stop_date"))
    if start is not None and stop is not None and start > stop:
        query["start_date"], query["stop_date"] = query["stop_date"], query["start_date"]
    ids = query.get("id")
    named = isinstance(ids, str) and any(part.strip() for part in ids.split(","))
    if not named and not query.get("platform") and (start is None or stop is None):
        query["platform"] = "S1A"


def _clamp(value, limit):
    return max(-limit, min(limit, value))


def _bbox_in_order(values):
    """The box with each axis' min <= max and within the WGS 84 ranges, or None when it is not 4 or 6 numbers."""
    if len(values) not in (4, 6) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    half = len(values) // 2
    limits = [180, 90, float("inf")][:half]
    low = [_clamp(v, limit) for v, limit in zip(values[:half], limits)]
    high = [_clamp(v, limit) for v, limit in zip(values[half:], limits)]
    return [min(a, b) for a, b in zip(low, high)] + [max(a, b) for a, b in zip(low, high)]


def _order_bbox_text(query):
    text = query.get("bbox")
    if not isinstance(text, str):
        return
    try:
        box = _bbox_in_order([float(part) for part in text.split(",")])
    except ValueError:
        return
    if box:
        query["bbox"] = ",".join(f"{value:.6f}" for value in box)


def _fix_positions(coordinates, rings):
    """Latitudes into +-90 and, for polygon rings (`rings` nesting levels up), the last position set to the first."""
    if not isinstance(coordinates, list):
        return
    if coordinates and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in coordinates):
        if len(coordinates) >= 2:
            coordinates[1] = _clamp(coordinates[1], 90)
        return
    for member in coordinates:
        _fix_positions(member, rings - 1 if rings else 0)
    if rings == 1 and len(coordinates) >= 4 and isinstance(coordinates[0], list):
        coordinates[-1] = list(coordinates[0])


RING_DEPTH = {"Polygon": 2, "MultiPolygon": 3}


def _fix_geometry(geometry):
    if not isinstance(geometry, dict):
        return
    if geometry.get("type") == "GeometryCollection" and isinstance(geometry.get("geometries"), list):
        for member in geometry["geometries"]:
            _fix_geometry(member)
    elif isinstance(geometry.get("type"), str):
        _fix_positions(geometry.get("coordinates"), RING_DEPTH.get(geometry["type"], 0))


def _fix_item(body):
    _fix_geometry(body.get("geometry"))
    properties = body.get("properties")
    if isinstance(properties, dict) and properties.get("datetime") is None:
        start, end = _stac_instant(properties.get("start_datetime")), _stac_instant(properties.get("end_datetime"))
        if start is not None and end is not None and start > end:
            properties["start_datetime"], properties["end_datetime"] = (
                properties["end_datetime"],
                properties["start_datetime"],
            )


@schemathesis.hook
def filter_case(context, case):
    query = case.query if isinstance(case.query, dict) else {}
    return len(urlencode(query, doseq=True)) <= MAX_QUERY_BYTES


@schemathesis.hook
def map_case(context, case):
    path = case.operation.path
    # Copies, assigned back: schemathesis re-validates a container a hook replaced, not one changed in place.
    case.query = copy.deepcopy(case.query) if isinstance(case.query, dict) else {}
    if isinstance(case.body, dict):
        case.body = copy.deepcopy(case.body)
    if "datetime" in case.query:
        _order_interval(case.query, "datetime")
    if isinstance(case.body, dict) and "datetime" in case.body:
        _order_interval(case.body, "datetime")
    if path == "/cadip/{station}/session":
        _session_search_criteria(case.query)
    if "bbox" in case.query:
        _order_bbox_text(case.query)
    if isinstance(case.body, dict) and path.startswith("/catalog/"):
        if isinstance(case.body.get("bbox"), list) and path == "/catalog/search":
            case.body["bbox"] = _bbox_in_order(case.body["bbox"]) or case.body["bbox"]
        if "items" in path:
            _fix_item(case.body)
        parameters = case.path_parameters or {}
        if case.method.upper() == "PUT" and isinstance(parameters.get("itemId"), str):
            case.body["id"] = unquote(parameters["itemId"])
        elif case.method.upper() == "PUT" and isinstance(parameters.get("collectionId"), str):
            case.body["id"] = unquote(parameters["collectionId"])
    if case.method.upper() != "GET":
        return case
    if path in KEY_TARGET_PATHS:
        _name_exactly_one_key(case.query)
    if path in EXPIRATION_PATHS:
        _keep_expiration_in_window(case.query)
    if path == "/auth/api_key/scopes":
        _scopes_or_all_roles(case.query)
    if path in SCOPES_PATHS and "scopes" in case.query:
        _scopes_among_held_roles(case.query)
    if path == "/auth/api_key/usage":
        _keep_usage_range_valid(case.query)
    return case
