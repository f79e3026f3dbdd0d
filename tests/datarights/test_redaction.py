"""The pure rules of redaction: whole values anywhere, a name's words only as whole words, case ignored."""

from datarights.redaction import REDACTED, name_parts, personal_values, redact_json, redact_text


def test_values_are_replaced_anywhere_and_ignoring_case():
    values = personal_values(name="Ana María Paz", phones=["+528112345678"], emails=["ana@example.com"],
                             vins=["3AUXY2K70PN999888"], plates=[""])
    text = "ANA MARÍA PAZ (ana@EXAMPLE.com) called from 528112345678 about 3auxy2k70pn999888"
    assert redact_text(text, values=values) == f"{REDACTED} ({REDACTED}) called from {REDACTED} about {REDACTED}"


def test_a_names_words_are_replaced_only_as_whole_words():
    words = name_parts("Ana María Paz")
    assert words == ["María", "Ana", "Paz"]
    assert redact_text("Sra. Paz analysed the Pazuzu part; Ana agreed", values=[], words=words) == (
        f"Sra. {REDACTED} analysed the Pazuzu part; {REDACTED} agreed")


def test_json_values_and_keys_are_redacted_and_other_values_kept():
    document = {"customer": "Ana María Paz", "Ana María Paz": [1, "ok", None]}
    assert redact_json(document, values=["Ana María Paz"]) == {"customer": REDACTED, REDACTED: [1, "ok", None]}


def test_short_values_are_not_searched_for_in_text():
    assert personal_values(name="Li", phones=[""], emails=[""], vins=[], plates=["AB"]) == []
