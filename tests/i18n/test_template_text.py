"""Every text a person reads in a template is marked for translation, and the checker proves it."""

from pathlib import Path

from django.conf import settings

from dealer_portal.catalogue_checks import unmarked_template_text


def _findings_in(tmp_path, name, source):
    (tmp_path / name).write_text(source, encoding="utf-8")
    return unmarked_template_text([tmp_path])


def test_the_projects_templates_have_no_unmarked_text():
    template_dirs = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]

    findings = unmarked_template_text(template_dirs)

    assert not findings, "Unmarked template text:\n" + "\n".join(
        f"{finding.path.relative_to(settings.BASE_DIR)}:{finding.line}: {finding.text}" for finding in findings
    )


def test_plain_text_in_a_page_is_found_with_its_line(tmp_path):
    source = '{% load i18n %}<h1>{% translate "Complaints" %}</h1>\n<p>\n  Open since {{ complaint.opened }}\n</p>'

    findings = _findings_in(tmp_path, "page.html", source)

    assert [(finding.line, finding.text) for finding in findings] == [(3, "Open since …")]


def test_a_visible_attribute_is_found_and_an_invisible_one_is_not(tmp_path):
    source = (
        '<input name="q" placeholder="Search customers" data-testid="search box">'
        '<input type="submit" value="Save">'
        '<input type="hidden" name="next" value="home page">'
    )

    findings = _findings_in(tmp_path, "form.html", source)

    assert [finding.text for finding in findings] == ['placeholder="Search customers"', 'value="Save"']


def test_marked_text_acronyms_numbers_and_symbols_pass(tmp_path):
    source = (
        '{% load i18n %}<title>{% block title %}{% endblock %} · {% translate "Dealer Portal" %}</title>\n'
        '<th title="{% translate "Vehicle identification number" %}">VIN</th><td>PRC · POE · KPI</td>\n'
        '<td>{{ share|floatformat:1 }} % × 2 – 3&nbsp;&hellip;</td><a href="/x.csv">CSV</a> / XLSX\n'
        '<input name="quarter" placeholder="2026-Q3"><dt><code>work_category</code></dt>\n'
        '<p>{% blocktranslate trimmed with name=customer.name %}\n  Call {{ name }} today.\n'
        '{% endblocktranslate %}</p>\n'
        '{% comment %}Nobody reads this{% endcomment %}{# nor this #}\n'
        '<script>const label = "not shown as text";</script><style>.x::after { content: "x"; }</style>'
    )

    assert _findings_in(tmp_path, "marked.html", source) == []


def test_english_in_capitals_is_not_taken_for_an_acronym(tmp_path):
    findings = _findings_in(tmp_path, "button.html", "<button>OK</button>")

    assert [finding.text for finding in findings] == ["OK"]


def test_every_text_line_of_an_email_template_is_visible(tmp_path):
    source = (
        '{% load i18n %}{% translate "Hello" %}\n'
        'Your complaint {{ complaint.reference }} is closed.\n'
        '{{ url }}\n'
    )

    findings = _findings_in(tmp_path, "email.txt", source)

    assert [(finding.line, finding.text) for finding in findings] == [(2, "Your complaint … is closed.")]
