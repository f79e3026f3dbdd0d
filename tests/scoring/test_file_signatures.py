"""Evidence is what its extension says, read from its own bytes at the right offset; a .docx or .xlsx must be a
real Office Open XML package, not any ZIP. A mismatch is the file field's error, on the page and in the API."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.file_signatures import OOXML_MAX_ENTRIES, file_is_of_type

from . import test_evidence
from .test_evidence import PDF, PNG, attach, evidence_rows, stored_files, upload

# The evidence tests' fixtures: an assessment being scored, and a fresh media directory for every test.
draft, media = test_evidence.draft, test_evidence.media

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(32)
WAVE = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(32)  # RIFF too, but sound
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(16)
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(16)  # ftyp at 4, but a video

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def package(parts: dict[str, str]) -> bytes:
    """A ZIP holding ``parts`` (name: text), as Office writes them (deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def content_types(main_part: str, main_type: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>')


RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
DOCX = package({"[Content_Types].xml": content_types("word/document.xml", WORD_MAIN), "_rels/.rels": RELS,
                "word/document.xml": "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/"
                                     "2006/main\"><w:body><w:p><w:r><w:t>Stock count</w:t></w:r></w:p></w:body>"
                                     "</w:document>"})
XLSX = package({"[Content_Types].xml": content_types("xl/workbook.xml", EXCEL_MAIN), "_rels/.rels": RELS,
                "xl/workbook.xml": "<workbook/>"})
PLAIN_ZIP = package({"photos/bay.png": "not really", "readme.txt": "hello"})


def is_of_type(content: bytes, suffix: str) -> bool:
    return file_is_of_type(io.BytesIO(content), suffix)


@pytest.mark.parametrize(("content", "suffix"), [
    (JPEG, ".jpg"), (JPEG, ".jpeg"), (PNG, ".png"), (WEBP, ".webp"), (HEIC, ".heic"), (PDF, ".pdf"),
    (DOCX, ".docx"), (XLSX, ".xlsx"),
])
def test_each_allowed_type_is_recognised(content, suffix):
    assert is_of_type(content, suffix)


@pytest.mark.parametrize(("content", "suffix"), [
    (PNG, ".pdf"),  # a photo renamed
    (b"x" + PDF, ".pdf"),  # the signature not at its offset
    (WAVE, ".webp"),  # RIFF, but not WebP
    (MP4, ".heic"),  # an ftyp box, but a video
    (PLAIN_ZIP, ".docx"),  # any ZIP is not a Word document
    (XLSX, ".docx"),  # an Excel workbook is not a Word document
    (DOCX, ".xlsx"),
    (b"junk before" + DOCX, ".docx"),  # a ZIP reader finds the archive anyway; the file must start with it
    (DOCX[:60], ".docx"),  # cut short: no central directory
    (package({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}), ".docx"),  # undeclared
    (package({"[Content_Types].xml": content_types("word/document.xml", WORD_MAIN)}), ".docx"),  # no main part
    (PNG, ".exe"),  # no check for it: never true
])
def test_a_file_that_is_not_what_its_name_says_is_refused(content, suffix):
    assert not is_of_type(content, suffix)


def test_a_zip_claiming_more_content_than_a_document_has_is_refused_without_unpacking_it():
    many = package({"[Content_Types].xml": content_types("word/document.xml", WORD_MAIN), "word/document.xml": "d",
                    **{f"word/media/{n}.xml": "" for n in range(OOXML_MAX_ENTRIES)}})
    assert not is_of_type(many, ".docx")
    # A deflated run of zeros: small on disk, 300 MB declared once unpacked.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types("word/document.xml", WORD_MAIN))
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as zeros:
            for _ in range(300):
                zeros.write(bytes(1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 2 * 1024 * 1024
    assert not is_of_type(bomb, ".docx")


def test_an_encrypted_or_damaged_package_is_refused_not_an_error():
    # The first part is [Content_Types].xml: its deflated bytes follow the 30-byte header and its name.
    start = 30 + len("[Content_Types].xml") + 4
    damaged = DOCX[:start] + b"\xff" * 24 + DOCX[start + 24:]
    assert not is_of_type(damaged, ".docx")
    encrypted = bytearray(DOCX)
    directory = encrypted.index(b"PK\x01\x02")  # the central directory's first entry: set "encrypted"
    encrypted[directory + 8] |= 0x01
    assert not is_of_type(bytes(encrypted), ".docx")


def test_the_file_is_left_at_its_start_for_storing():
    file = io.BytesIO(DOCX)
    file.seek(7)
    assert file_is_of_type(file, ".docx") and file.tell() == 0


@pytest.mark.django_db
def test_a_real_word_document_is_attached_and_a_renamed_zip_is_a_form_error(client, hq, dealer, draft, media):
    client.force_login(hq)
    refused = attach(client, dealer, draft, upload("stock count.docx", PLAIN_ZIP, "application/zip"))
    assert refused.status_code == 400
    assert "“stock count.docx” is not really a DOCX file." in refused.content.decode()
    assert evidence_rows() == [] and stored_files(media) == []
    accepted = attach(client, dealer, draft, upload("stock count.docx", DOCX))
    assert accepted.status_code == 302
    [evidence] = evidence_rows()
    assert evidence.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert [path.read_bytes() for path in stored_files(media)] == [DOCX]


@pytest.mark.django_db
def test_the_api_answers_a_mismatch_on_the_file_field(api_as, hq, draft):
    url = reverse("assessment-evidence", args=[draft.pk])
    api = api_as(hq)
    photo = api.post(url, {"file": SimpleUploadedFile("report.pdf", PNG)}, format="multipart")
    assert (photo.status_code, photo.json()["errors"]) == (400, {"file": ["“report.pdf” is not really a PDF file."]})
    workbook = api.post(url, {"file": SimpleUploadedFile("figures.xlsx", DOCX)}, format="multipart")
    assert workbook.json()["errors"] == {"file": ["“figures.xlsx” is not really a XLSX file."]}
    assert api.post(url, {"file": SimpleUploadedFile("figures.xlsx", XLSX)}, format="multipart").status_code == 201
