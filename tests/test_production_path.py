"""The production path as shipped: every static reference resolves, and the image runs what compose runs.

The servers themselves are exercised by bin/smoke, a CI step; these checks need no server.
"""

import re
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
PRODUCTION_STATIC_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STATIC_TAG = re.compile(r"""{%\s*static\s+(['"])(?P<path>[^'"]+)\1\s*%}""")


def test_production_settings_use_the_manifest_storage(monkeypatch):
    # Read the settings module the way production would: with DJANGO_DEBUG=false.
    import importlib

    import dealer_portal.settings as project_settings

    monkeypatch.setenv("DJANGO_DEBUG", "false")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "test-only-production-settings-key-0123456789-abcdefghij")
    try:
        production = importlib.reload(project_settings)
        assert production.STORAGES["staticfiles"]["BACKEND"] == PRODUCTION_STATIC_STORAGE
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_collectstatic_with_the_production_storage_finds_every_referenced_file(settings, tmp_path):
    """The manifest storage follows url(...) in CSS and sourceMappingURL in CSS and JS; a missing file stops it."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC_STORAGE}}
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles" / "staticfiles.json").read_text()
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in manifest
    assert "css/portal.css" in manifest


def _template_static_paths() -> list[tuple[Path, str]]:
    template_dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    found = []
    for template_dir in template_dirs:
        for template in sorted(template_dir.rglob("*.html")):
            found += [(template, match["path"]) for match in STATIC_TAG.finditer(template.read_text())]
    return found


def test_every_static_tag_in_the_templates_names_a_file_the_finders_know():
    references = _template_static_paths()
    assert references, "no {% static %} tag found: the pattern no longer matches the templates"
    missing = [f"{template.relative_to(ROOT)}: {path}" for template, path in references if not finders.find(path)]
    assert missing == []


def _compose_service_command(service: str) -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"][service]["command"]


def test_the_image_serves_with_compose_web_command():
    """The Dockerfile's CMD (what `docker run` starts) is exactly compose's web command."""
    cmd_line = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    assert yaml.safe_load(cmd_line.removeprefix("CMD ")) == _compose_service_command("web")


def test_the_image_is_built_by_the_script_ci_runs():
    run_lines = [line.removeprefix("RUN ").strip()
                 for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("RUN ")]
    assert "bin/build" in run_lines
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bin/smoke" in ci
    assert "bin/build" in (ROOT / "bin" / "smoke.py").read_text()
