# CPython 3.11.7 (PSF-2.0), Lib/calendar.py; see README.md

def _prevmonth(year, month):
    if month == 1:
        return year-1, 12
    else:
        return year, month-1


def _nextmonth(year, month):
    if month == 12:
        return year+1, 1
    else:
        return year, month+1
