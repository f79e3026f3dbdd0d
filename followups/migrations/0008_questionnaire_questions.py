import json
from pathlib import Path

from django.db import migrations, models


QUESTIONS = ("overall", "work_done_right", "ready_when_promised", "would_recommend", "comments")


def questions_give_shipped_wording(apps, schema_editor):
    """Existing questionnaires ask the shipped questions: in their network's default language, with its other
    content languages as translations (the wording shipped when this runs)."""
    shipped = json.loads((Path(__file__).resolve().parent.parent / "questions.json").read_text(encoding="utf-8"))
    Questionnaire = apps.get_model("followups", "Questionnaire")
    for questionnaire in Questionnaire.objects.select_related("network"):
        network = questionnaire.network
        languages = list(dict.fromkeys([network.default_language, *(network.content_languages or [])]))
        translations = {}
        for field in QUESTIONS:
            texts = shipped[field]
            setattr(questionnaire, field, texts.get(network.default_language) or texts["en"])
            for language in languages[1:]:
                if texts.get(language):
                    translations.setdefault(language, {})[field] = texts[language]
        questionnaire.translations = translations
        questionnaire.save(update_fields=[*QUESTIONS, "translations"])


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0007_reached_with_its_local_date'),
        ('tenancy', '0003_languages'),
    ]

    operations = [
        migrations.AddField(
            model_name='questionnaire',
            name='overall',
            field=models.CharField(default='', max_length=200, verbose_name='question: overall satisfaction (1–5)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='questionnaire',
            name='work_done_right',
            field=models.CharField(default='', max_length=200, verbose_name='question: was the work done right'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='questionnaire',
            name='ready_when_promised',
            field=models.CharField(default='', max_length=200,
                                   verbose_name='question: was the car ready when promised'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='questionnaire',
            name='would_recommend',
            field=models.CharField(default='', max_length=200,
                                   verbose_name='question: would the customer recommend us'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='questionnaire',
            name='comments',
            field=models.CharField(default='', max_length=200, verbose_name="question: the customer's comments"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='questionnaire',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text="The text in the network's other content languages: {language: {field: text}}.", verbose_name='translations'),
        ),
        migrations.RunPython(questions_give_shipped_wording, migrations.RunPython.noop),
    ]
