"""libical (the C library behind Evolution and many servers), through ctypes: for each
.ics file given, the UTC instant libical gives each VEVENT's DTSTART (resolved through
the file's own VTIMEZONE) and the errors of its RFC 5546 (iTIP) restriction check.

Run in a child process by tests/test_ics_clients.py, so that a fault in the C library
cannot take the test run with it. Prints one JSON object {file: {"instants": {uid: iso},
"errors": [X-LIC-ERROR lines]}}.
"""

import ctypes
import ctypes.util
import datetime
import json
import sys


class IcalTime(ctypes.Structure):
    """struct icaltimetype of libical 3."""

    _fields_ = [
        (name, ctypes.c_int) for name in ("year", "month", "day", "hour", "minute", "second", "is_date", "is_daylight")
    ] + [("zone", ctypes.c_void_p)]


def library() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("ical") or "libical.so.3")
    signatures = {
        "icalparser_parse_string": ([ctypes.c_char_p], ctypes.c_void_p),
        "icalrestriction_check": ([ctypes.c_void_p], ctypes.c_int),
        "icalcomponent_string_to_kind": ([ctypes.c_char_p], ctypes.c_int),
        "icalcomponent_get_first_component": ([ctypes.c_void_p, ctypes.c_int], ctypes.c_void_p),
        "icalcomponent_get_next_component": ([ctypes.c_void_p, ctypes.c_int], ctypes.c_void_p),
        "icalcomponent_get_dtstart": ([ctypes.c_void_p], IcalTime),
        "icalcomponent_get_uid": ([ctypes.c_void_p], ctypes.c_char_p),
        "icaltime_as_timet_with_zone": ([IcalTime, ctypes.c_void_p], ctypes.c_longlong),
        "icalcomponent_as_ical_string": ([ctypes.c_void_p], ctypes.c_char_p),
        "icalcomponent_free": ([ctypes.c_void_p], None),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = arguments, result
    return lib


def check(lib: ctypes.CDLL, data: bytes) -> dict:
    calendar = lib.icalparser_parse_string(data)
    vevent = lib.icalcomponent_string_to_kind(b"VEVENT")
    instants = {}
    event = lib.icalcomponent_get_first_component(calendar, vevent)
    while event:
        start = lib.icalcomponent_get_dtstart(event)
        assert start.zone, "DTSTART without a time zone"
        seconds = lib.icaltime_as_timet_with_zone(start, start.zone)
        utc = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
        instants[lib.icalcomponent_get_uid(event).decode("utf-8")] = utc.isoformat()
        event = lib.icalcomponent_get_next_component(calendar, vevent)
    lib.icalrestriction_check(calendar)
    text = lib.icalcomponent_as_ical_string(calendar).decode("utf-8")
    errors = [line for line in text.replace("\r\n ", "").splitlines() if line.startswith("X-LIC-ERROR")]
    lib.icalcomponent_free(calendar)
    return {"instants": instants, "errors": errors}


if __name__ == "__main__":
    lib = library()
    result = {}
    for path in sys.argv[1:]:
        with open(path, "rb") as file:
            result[path] = check(lib, file.read())
    print(json.dumps(result))
