"""Date, time and number formats per language (settings.FORMAT_MODULE_PATH): <locale>/formats.py.

Besides Django's names each module gives the project's own (read with ``dealer_portal.formatting.format_for``):
dates with the weekday and the short "11 Dec" forms the boards use, and how a percentage is written.
Input formats put ISO first: the browser's type=date input sends it, and widgets render it.
"""
