"""Whether an uploaded file really is the type its extension names, read from its own bytes.

Each type has its signature at its own offset (WebP's ``WEBP`` after the RIFF size, HEIC's ``ftyp`` box after
its 4-byte length). An Office Open XML file (.docx, .xlsx) is a ZIP, but not every ZIP is one: it must hold
``[Content_Types].xml`` declaring that type's main part, and the part itself. The ZIP is read from its central
directory only, never extracted, and refused when it claims more entries or content than a document has
(a ZIP bomb), so the check costs the same whatever the archive says it unpacks to.
"""

import lzma
import zipfile
import zlib
from collections.abc import Callable
from typing import BinaryIO

HEAD_BYTES = 16
ZIP_LOCAL_HEADER = b"PK\x03\x04"
# Far above any real document, far below what would hurt a reader of the archive.
OOXML_MAX_ENTRIES = 5000
OOXML_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
CONTENT_TYPES_MAX_BYTES = 256 * 1024
HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


def _starts_with(signature: bytes, offset: int = 0) -> Callable[[bytes], bool]:
    return lambda head: head[offset:offset + len(signature)] == signature


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_heic(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS


# Extension: what its first bytes must be.
HEAD_CHECKS: dict[str, Callable[[bytes], bool]] = {
    ".jpg": _starts_with(b"\xff\xd8\xff"),
    ".jpeg": _starts_with(b"\xff\xd8\xff"),
    ".png": _starts_with(b"\x89PNG\r\n\x1a\n"),
    ".webp": _is_webp,
    ".heic": _is_heic,
    ".pdf": _starts_with(b"%PDF-"),
    ".docx": _starts_with(ZIP_LOCAL_HEADER),
    ".xlsx": _starts_with(ZIP_LOCAL_HEADER),
}

# Extension of an Office Open XML package: (its main part, the content type [Content_Types].xml gives it).
OOXML_MAIN_PARTS = {
    ".docx": ("word/document.xml",
              b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    ".xlsx": ("xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}


def file_is_of_type(file: BinaryIO, suffix: str) -> bool:
    """True when ``file`` (seekable, left at its start) is what the extension ``suffix`` (".pdf") says.

    An extension without a check here is never true.
    """
    check = HEAD_CHECKS.get(suffix)
    if check is None:
        return False
    try:
        file.seek(0)
        if not check(file.read(HEAD_BYTES)):
            return False
        return suffix not in OOXML_MAIN_PARTS or _is_ooxml_package(file, *OOXML_MAIN_PARTS[suffix])
    finally:
        file.seek(0)


def _is_ooxml_package(file: BinaryIO, main_part: str, main_content_type: bytes) -> bool:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > OOXML_MAX_ENTRIES or sum(entry.file_size for entry in entries) > OOXML_MAX_UNPACKED_BYTES:
                return False
            names = {entry.filename for entry in entries}
            if main_part not in names or "[Content_Types].xml" not in names:
                return False
            content_types = archive.getinfo("[Content_Types].xml")
            if content_types.file_size > CONTENT_TYPES_MAX_BYTES:
                return False
            with archive.open(content_types) as declared:
                # Read at most the limit: a size in the directory can lie, the bytes read cannot.
                declarations = declared.read(CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError, OSError,
            EOFError, zlib.error, lzma.LZMAError):
        # Broken, encrypted or compressed in a way no Office writes: not a document we accept.
        return False
    return len(declarations) <= CONTENT_TYPES_MAX_BYTES and main_content_type in declarations
