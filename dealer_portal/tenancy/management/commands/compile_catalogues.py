from django.core.management.base import BaseCommand, CommandError

from dealer_portal.catalogues import catalogue_compile, catalogue_paths


class Command(BaseCommand):
    help = ("Compile every message catalogue under LOCALE_PATHS (.po to .mo) with polib: "
            "no GNU gettext needed. bin/bootstrap and bin/build run it.")

    def handle(self, *args, **options):
        paths = catalogue_paths()
        if not paths:
            raise CommandError("No catalogues found under LOCALE_PATHS.")
        for path in paths:
            try:
                mo_path = catalogue_compile(path)
            except (OSError, ValueError) as error:  # polib raises OSError on a syntax error in the .po
                raise CommandError(f"{path}: {error}") from error
            if options["verbosity"] > 1:
                self.stdout.write(f"compiled {mo_path}")
        if options["verbosity"] > 0:
            self.stdout.write(f"Compiled {len(paths)} catalogue(s).")
