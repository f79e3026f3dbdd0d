"""Evidence on an assessment: photos and documents checked by type and size, stored through Django's storage,
downloaded only by those who see the assessment, never from a public media URL."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import override_settings
from django.urls import reverse

from dealer_portal.tenancy.calendar import local_today
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from scoring.models import AssessmentEvidence, ChecklistItem
from scoring.services import assessment_score, assessment_start, assessment_submit, evidence_attach
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       + bytes(range(40)))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(dealer, name, *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


@pytest.fixture(autouse=True)
def media(tmp_path):
    """Every stored file goes to a fresh directory, so a test can see exactly what was kept."""
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


@pytest.fixture
def draft(dealer, small_poe, hq, network):
    with tenant_scope(TenantScope.for_dealer(dealer)):
        return assessment_start(dealer=dealer, template=small_poe, month=local_today(network), by=hq)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def attach(client, dealer, assessment, file, **fields):
    return client.post(url(dealer, "scoring_evidence_add", assessment.pk), {"file": file, **fields})


def evidence_rows():
    with unscoped():
        return list(AssessmentEvidence.objects.order_by("pk"))


def score_everything(dealer, assessment):
    with tenant_scope(TenantScope.for_dealer(dealer)):
        for item in ChecklistItem.objects.filter(section__template=assessment.template):
            assessment_score(assessment=assessment, item=item, points=1)


def test_a_photo_is_attached_and_downloaded_inline_with_the_same_bytes(client, hq, dealer, draft, media):
    client.force_login(hq)
    response = attach(client, dealer, draft, upload("workshop.png", PNG, "image/png"), note="Reception bay")
    assert response.status_code == 302
    [evidence] = evidence_rows()
    assert (evidence.original_name, evidence.content_type, evidence.size, evidence.note, evidence.uploaded_by) == (
        "workshop.png", "image/png", len(PNG), "Reception bay", hq)
    assert [path.read_bytes() for path in stored_files(media)] == [PNG]
    page = client.get(url(dealer, "scoring_assessment", draft.pk)).content.decode()
    link = url(dealer, "scoring_evidence", draft.pk, evidence.pk)
    assert f'href="{link}">workshop.png</a>' in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'inline; filename="workshop.png"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_is_attached_to_an_item_and_downloaded_as_an_attachment(client, hq, dealer, draft, small_poe):
    with tenant_scope(TenantScope.for_dealer(dealer)):
        item = ChecklistItem.objects.get(section__template=small_poe, code="SI.1")
    client.force_login(hq)
    assert attach(client, dealer, draft, upload("stock count.pdf", PDF, "application/pdf"),
                  item=item.pk).status_code == 302
    [evidence] = evidence_rows()
    assert evidence.item == item
    download = client.get(url(dealer, "scoring_evidence", draft.pk, evidence.pk))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="stock count.pdf"'


@pytest.mark.parametrize(("name", "content", "message"), [
    ("tool.exe", b"MZ\x90\x00" + bytes(60),
     "Attach a photo (JPEG, PNG, WebP, HEIC) or a document (PDF, Word, Excel); “tool.exe” is neither."),
    ("notes.png", b"just some text, not a picture", "“notes.png” is not really a PNG file."),
    ("report.pdf", PNG, "“report.pdf” is not really a PDF file."),
])
def test_a_file_that_is_not_a_photo_or_document_is_refused_and_nothing_is_stored(client, hq, dealer, draft, media,
                                                                                  name, content, message):
    client.force_login(hq)
    response = attach(client, dealer, draft, upload(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert evidence_rows() == []
    assert stored_files(media) == []


def test_a_file_above_the_limit_is_refused_and_nothing_is_stored(client, hq, dealer, draft, media):
    big = PNG + bytes(200)
    client.force_login(hq)
    with override_settings(EVIDENCE_MAX_BYTES=100):
        response = attach(client, dealer, draft, upload("big.png", big, "image/png"))
    assert response.status_code == 400
    assert f"“big.png” is {filesizeformat(len(big))}; the limit is {filesizeformat(100)}." in (
        response.content.decode())
    assert evidence_rows() == []
    assert stored_files(media) == []


def test_evidence_is_removed_while_draft_but_not_after_submit(client, hq, dealer, draft):
    client.force_login(hq)
    attach(client, dealer, draft, upload("a.png", PNG))
    attach(client, dealer, draft, upload("b.pdf", PDF))
    first, second = evidence_rows()
    assert client.post(url(dealer, "scoring_evidence_remove", draft.pk, first.pk)).status_code == 302
    assert [row.original_name for row in evidence_rows()] == ["b.pdf"]

    score_everything(dealer, draft)
    client.post(url(dealer, "scoring_assessment_submit", draft.pk))
    page = client.get(url(dealer, "scoring_assessment", draft.pk)).content.decode()
    assert "Remove</button>" not in page and 'data-testid="evidence-form"' not in page
    refused = client.post(url(dealer, "scoring_evidence_remove", draft.pk, second.pk))
    assert refused.status_code == 400
    assert "This assessment was submitted and is locked; a network admin can reopen it." in refused.content.decode()
    late = attach(client, dealer, draft, upload("c.png", PNG))
    assert late.status_code == 400
    assert "This assessment was submitted and is locked" in late.content.decode()
    assert [row.original_name for row in evidence_rows()] == ["b.pdf"]


def test_only_editors_attach_or_remove(client, advisor, regional_manager, hq, dealer, draft):
    client.force_login(hq)
    attach(client, dealer, draft, upload("a.png", PNG))
    [evidence] = evidence_rows()
    client.force_login(regional_manager)
    assert attach(client, dealer, draft, upload("b.png", PNG)).status_code == 403
    assert client.post(url(dealer, "scoring_evidence_remove", draft.pk, evidence.pk)).status_code == 403
    assert client.get(url(dealer, "scoring_evidence", draft.pk, evidence.pk)).status_code == 200
    assert len(evidence_rows()) == 1


def test_dealer_staff_download_evidence_only_once_hqs_assessment_is_submitted(client, advisor, hq, dealer, draft):
    with tenant_scope(TenantScope.for_dealer(dealer)):
        evidence = evidence_attach(assessment=draft, upload=upload("a.png", PNG), by=hq)
    link = url(dealer, "scoring_evidence", draft.pk, evidence.pk)
    client.force_login(advisor)
    assert client.get(link).status_code == 404
    score_everything(dealer, draft)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assessment_submit(assessment=draft, by=hq)
    response = client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG


def test_another_dealers_evidence_is_404(client, hq, neighbour, outsider, dealer, other_dealer, draft, small_poe,
                                         network):
    with tenant_scope(TenantScope.for_dealer(other_dealer)):
        theirs = assessment_start(dealer=other_dealer, template=small_poe, month=local_today(network), by=hq)
        their_file = evidence_attach(assessment=theirs, upload=upload("theirs.png", PNG), by=hq)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        mine = evidence_attach(assessment=draft, upload=upload("mine.png", PNG), by=hq)
    # Another dealer's evidence under this dealer's assessment, or this dealer's under another assessment: 404.
    client.force_login(hq)
    assert client.get(url(dealer, "scoring_evidence", draft.pk, their_file.pk)).status_code == 404
    assert client.get(url(other_dealer, "scoring_evidence", theirs.pk, mine.pk)).status_code == 404
    pages = [url(dealer, "scoring_evidence", draft.pk, mine.pk),
             url(dealer, "scoring_evidence_remove", draft.pk, mine.pk)]
    assert_not_found_for(neighbour, web=pages)
    assert_not_found_for(outsider, web=pages)
    assert len(evidence_rows()) == 2


def test_evidence_is_not_served_from_the_media_url(client, hq, dealer, draft, settings):
    with tenant_scope(TenantScope.for_dealer(dealer)):
        evidence = evidence_attach(assessment=draft, upload=upload("a.png", PNG), by=hq)
    client.force_login(hq)
    assert client.get(f"/{settings.MEDIA_URL}{evidence.file.name}").status_code == 404
