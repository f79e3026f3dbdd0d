from django.core.management.base import BaseCommand

from dealer_portal.catalogues import SOURCE_LANGUAGE, catalogue_domains, catalogue_fill_source, catalogue_path


class Command(BaseCommand):
    help = ("Complete the English (source) catalogues: each msgstr becomes its msgid. "
            "Run after makemessages, before compile_catalogues.")

    def handle(self, *args, **options):
        for domain in catalogue_domains():
            path = catalogue_path(SOURCE_LANGUAGE, domain)
            if path.exists():
                changed = catalogue_fill_source(path)
                self.stdout.write(f"{path}: {changed} entr{'y' if changed == 1 else 'ies'} filled.")
