# English: Django's formats, and the short forms the boards have always shown ("Thu 11 Dec 2025").
DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = "m/d/Y"
DATETIME_FORMAT = "N j, Y, P"
SHORT_DATETIME_FORMAT = "m/d/Y P"
TIME_FORMAT = "P"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 0  # Sunday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%b %d %Y", "%b %d, %Y", "%d %b %Y", "%d %b, %Y",
                      "%B %d %Y", "%B %d, %Y", "%d %B %Y", "%d %B, %Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S",
                          "%m/%d/%Y %H:%M:%S.%f", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]

# The project's own names.
SHORT_DATE_WITH_WEEKDAY = "D j M Y"
MEDIUM_DATE_FORMAT = "j M Y"
MEDIUM_DATETIME_FORMAT = "j M Y H:i"
DAY_MONTH_FORMAT = "j M"
DAY_MONTH_TIME_FORMAT = "j M H:i"
WEEKDAY_TIME_FORMAT = "D H:i"
WEEKDAY_DAY_MONTH_TIME_FORMAT = "D j M H:i"
FULL_DATETIME_FORMAT = "l j F Y, H:i"
CLOCK_FORMAT = "H:i"
PERCENT_FORMAT = "{}%"
