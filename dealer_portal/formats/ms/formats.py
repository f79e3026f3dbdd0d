# Malay (Malaysia): "Kha, 11 Dis 2025", "11/12/2025", "97.6%".
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                          "%d/%m/%y %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]

SHORT_DATE_WITH_WEEKDAY = "D, j M Y"
MEDIUM_DATE_FORMAT = "j M Y"
MEDIUM_DATETIME_FORMAT = "j M Y H:i"
DAY_MONTH_FORMAT = "j M"
DAY_MONTH_TIME_FORMAT = "j M H:i"
WEEKDAY_TIME_FORMAT = "D H:i"
WEEKDAY_DAY_MONTH_TIME_FORMAT = "D, j M H:i"
FULL_DATETIME_FORMAT = "l, j F Y, H:i"
CLOCK_FORMAT = "H:i"
PERCENT_FORMAT = "{}%"
