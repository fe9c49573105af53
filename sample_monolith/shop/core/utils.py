"""Small helpers with no business meaning."""

import datetime
import re


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
