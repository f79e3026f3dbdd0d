"""No English in the portal's JavaScript: labels come from the server, numbers are formatted in the page's language."""

from pathlib import Path

from django.conf import settings

from dealer_portal.catalogue_checks import unmarked_script_text


def test_the_projects_scripts_show_no_literal_text():
    roots = [Path(settings.BASE_DIR) / "static" / "js", *settings.TEMPLATES[0]["DIRS"]]

    findings = unmarked_script_text(roots)

    assert not findings, "Literal text in scripts:\n" + "\n".join(
        f"{finding.path.relative_to(settings.BASE_DIR)}:{finding.line}: {finding.text}" for finding in findings
    )


def test_a_literal_chart_label_a_glued_unit_and_an_alert_are_found(tmp_path):
    (tmp_path / "chart.js").write_text(
        '// label: "Only a comment"\n'
        'const sets = [{ label: "Complaints", data: [1] }, { label: data.labels.kept, data: [2] }];\n'
        'const ticks = { callback: (v) => v + " %" };\n'
        'alert(`Saved ${count} jobs`);\n'
        'const kind = { type: "bar", label: `${data.labels.kept}` };\n',
        encoding="utf-8",
    )

    findings = unmarked_script_text([tmp_path])

    assert [(finding.line, finding.text) for finding in findings] == [
        (2, 'label: "Complaints"'), (3, '+ " %"'), (4, "alert(`Saved ${count} jobs`"),
    ]
