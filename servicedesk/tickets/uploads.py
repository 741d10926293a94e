"""Rules for files people upload: how many, how big, which types, and what is really inside."""

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from servicedesk.core.errors import ApplicationError

# extension -> content type we store and serve (never the browser's claim).
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".rtf": "application/rtf",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".zip": "application/zip",
}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
ACCEPT_ATTRIBUTE = ",".join(sorted(ALLOWED_TYPES))

TOO_MANY_FILES = "Envie no máximo {limit} arquivos de cada vez."
FILE_EMPTY = "O arquivo “{name}” está vazio."
FILE_TOO_BIG = "O arquivo “{name}” tem {size} e passa do limite de {limit} MB."
FILE_TYPE_REFUSED = (
    "O arquivo “{name}” não é de um tipo aceito. Envie documentos, planilhas, apresentações, "
    "PDF, imagens (PNG, JPG, GIF, WebP), texto, CSV ou ZIP."
)
FILE_CONTENT_MISMATCH = "O conteúdo do arquivo “{name}” não corresponde a um arquivo {kind}."
NOT_AN_IMAGE = "O arquivo “{name}” não é uma imagem PNG, JPG, GIF ou WebP."
FILE_NAME_TOO_LONG = (
    "O nome do arquivo “{name}” é longo demais: renomeie o arquivo com no máximo "
    "{limit} caracteres e envie de novo."
)
# Every common file system allows 255 characters; Django cuts longer names to exactly 255
# (UploadedFile), so a name that long was longer when sent: only a forged request sends one.
MAX_NAME_LENGTH = 254


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


# What the first bytes of a file of each checked type look like.
_SIGNATURES = {
    ".png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    ".jpg": lambda head: head.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    ".gif": lambda head: head[:6] in (b"GIF87a", b"GIF89a"),
    ".webp": _is_webp,
    # PDF readers accept the header anywhere in the first kilobyte.
    ".pdf": lambda head: b"%PDF-" in head[:1024],
}
_KIND_NAMES = {
    ".pdf": "PDF",
    ".png": "PNG",
    ".jpg": "JPG",
    ".jpeg": "JPG",
    ".gif": "GIF",
    ".webp": "WebP",
}


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    name: str  # sanitised original name
    extension: str
    content_type: str
    size: int
    sha256: str


def safe_name(raw: str) -> str:
    """The original name made harmless to show and to send back in a header."""
    name = unicodedata.normalize("NFC", os.path.basename(raw.replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/\\|?*;]', "_", name).strip(" .") or "arquivo"
    stem, suffix = os.path.splitext(name)
    return stem[: 150 - len(suffix)] + suffix.lower()


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(size // 1024, 1)} KB"


def check_upload(upload: UploadedFile, *, images_only: bool = False) -> CheckedUpload:
    """Checks one file against the rules above; raises ApplicationError (field "files") with
    a pt-BR message naming the file. Size limit in MB: PORTAL_ATTACHMENT_MAX_MB."""
    name = safe_name(upload.name or "")
    if len(upload.name or "") > MAX_NAME_LENGTH:
        shown = name if len(name) <= 60 else name[:40] + "…" + name[-12:]
        message = FILE_NAME_TOO_LONG.format(name=shown, limit=MAX_NAME_LENGTH)
        raise ApplicationError(message, field="files")
    extension = PurePath(name).suffix.lower()
    limit_mb = settings.PORTAL_ATTACHMENT_MAX_MB
    if images_only and extension not in IMAGE_EXTENSIONS:
        raise ApplicationError(NOT_AN_IMAGE.format(name=name), field="files")
    if extension not in ALLOWED_TYPES:
        raise ApplicationError(FILE_TYPE_REFUSED.format(name=name), field="files")
    if upload.size == 0:
        raise ApplicationError(FILE_EMPTY.format(name=name), field="files")
    if upload.size > limit_mb * 1024 * 1024:
        message = FILE_TOO_BIG.format(name=name, size=_human_size(upload.size), limit=limit_mb)
        raise ApplicationError(message, field="files")

    digest = hashlib.sha256()
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < 1024:
            head += chunk[: 1024 - len(head)]
        digest.update(chunk)
    upload.seek(0)
    signature = _SIGNATURES.get(extension)
    if signature and not signature(head):
        kind = _KIND_NAMES[extension]
        raise ApplicationError(FILE_CONTENT_MISMATCH.format(name=name, kind=kind), field="files")
    return CheckedUpload(
        upload=upload,
        name=name,
        extension=extension,
        content_type=ALLOWED_TYPES[extension],
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def check_uploads(uploads: list[UploadedFile]) -> list[CheckedUpload]:
    """Every file checked before anything is stored; the first refusal names its file."""
    limit = settings.PORTAL_ATTACHMENT_MAX_FILES
    if len(uploads) > limit:
        raise ApplicationError(TOO_MANY_FILES.format(limit=limit), field="files")
    return [check_upload(upload) for upload in uploads]
