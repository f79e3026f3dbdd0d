"""Routes of the assessment pages, their evidence, the checklists and the scoring settings."""

from django.urls import path

from . import assessment_views as views

network_patterns = [
    path("assessments/", views.assessment_list_page, name="scoring_assessments"),
    path("settings/scoring/", views.scoring_settings_page, name="scoring_settings"),
    path("checklists/", views.checklists_page, name="scoring_checklists"),
    path("checklists/<int:pk>/export/", views.checklist_export_page, name="scoring_checklist_export"),
]
dealer_patterns = [
    path("assessments/", views.dealer_assessments_page, name="scoring_dealer_assessments"),
    path("assessments/new/", views.assessment_new_page, name="scoring_assessment_new"),
    path("assessments/<int:pk>/", views.assessment_page, name="scoring_assessment"),
    path("assessments/<int:pk>/submit/", views.assessment_submit_page, name="scoring_assessment_submit"),
    path("assessments/<int:pk>/reopen/", views.assessment_reopen_page, name="scoring_assessment_reopen"),
    path("assessments/<int:pk>/evidence/", views.evidence_add_page, name="scoring_evidence_add"),
    path("assessments/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="scoring_evidence"),
    path("assessments/<int:pk>/evidence/<int:evidence_pk>/remove/", views.evidence_remove_page,
         name="scoring_evidence_remove"),
]
