# Finnish: "to 11.12.2025", "11.12.2025 klo 14.30", "97,6 %" (a no-break space before the sign).
DATE_FORMAT = "j. E Y"
SHORT_DATE_FORMAT = "j.n.Y"
DATETIME_FORMAT = r"j. E Y \k\l\o G.i"
SHORT_DATETIME_FORMAT = "j.n.Y G.i"
TIME_FORMAT = "G.i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H.%M.%S", "%d.%m.%Y %H.%M",
                          "%d.%m.%Y %H:%M", "%d.%m.%y %H.%M"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%H.%M.%S", "%H.%M"]

SHORT_DATE_WITH_WEEKDAY = "D j.n.Y"
MEDIUM_DATE_FORMAT = "j.n.Y"
MEDIUM_DATETIME_FORMAT = "j.n.Y G.i"
DAY_MONTH_FORMAT = "j.n."
DAY_MONTH_TIME_FORMAT = "j.n. G.i"
WEEKDAY_TIME_FORMAT = "D G.i"
WEEKDAY_DAY_MONTH_TIME_FORMAT = "D j.n. G.i"
FULL_DATETIME_FORMAT = r"l j. F Y \k\l\o G.i"
CLOCK_FORMAT = "G.i"
PERCENT_FORMAT = "{}\xa0%"
