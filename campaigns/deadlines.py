"""Deadlines are moments in Vietnam time: "10/6" means until 23:59:59 on 10/6 ICT."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59)


def end_of_day_ict(day: date, at: time | None = None) -> datetime:
    """The aware moment at which a deadline on ``day`` ends (23:59:59 ICT unless ``at`` says otherwise)."""
    return datetime.combine(day, at or END_OF_DAY, tzinfo=VIETNAM)
