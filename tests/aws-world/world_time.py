"""UTC time helpers for the world: moto keeps naive datetimes that mean UTC."""

import datetime

UTC = datetime.timezone.utc


def utcnow():
    return datetime.datetime.now(UTC).replace(tzinfo=None)


def from_epoch(seconds):
    return datetime.datetime.fromtimestamp(float(seconds), UTC).replace(tzinfo=None)


def epoch(naive_utc):
    return naive_utc.replace(tzinfo=UTC).timestamp()


def parse_time(value):
    """ISO 8601 (Z, offset or none = UTC; fraction optional) or epoch seconds -> naive UTC."""
    if isinstance(value, (int, float)):
        return from_epoch(value)
    text = str(value).strip()
    try:
        return from_epoch(float(text))
    except ValueError:
        pass
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.datetime.fromisoformat(text)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt
