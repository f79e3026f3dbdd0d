# Spanish: "jue 11 dic 2025", "11/12/2025", "97,6 %" (a no-break space before the sign).
DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                          "%d/%m/%y %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]

# Spanish writes month abbreviations in lower case: "b" ("dic"), not "M" ("Dic").
SHORT_DATE_WITH_WEEKDAY = "D j b Y"
MEDIUM_DATE_FORMAT = "j b Y"
MEDIUM_DATETIME_FORMAT = "j b Y H:i"
DAY_MONTH_FORMAT = "j b"
DAY_MONTH_TIME_FORMAT = "j b H:i"
WEEKDAY_TIME_FORMAT = "D H:i"
WEEKDAY_DAY_MONTH_TIME_FORMAT = "D j b H:i"
FULL_DATETIME_FORMAT = r"l j \d\e F \d\e Y, H:i"
CLOCK_FORMAT = "H:i"
PERCENT_FORMAT = "{}\xa0%"
