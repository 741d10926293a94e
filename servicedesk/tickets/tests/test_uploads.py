import pytest

from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.tests.factories import PDF_BYTES, PNG_BYTES, upload
from servicedesk.tickets.uploads import (
    FILE_CONTENT_MISMATCH,
    FILE_EMPTY,
    FILE_TOO_BIG,
    FILE_TYPE_REFUSED,
    TOO_MANY_FILES,
    check_upload,
    check_uploads,
    safe_name,
)


def refusal(files):
    with pytest.raises(ApplicationError) as refused:
        check_uploads(files)
    assert refused.value.field == "files"
    return refused.value.message


def test_accepted_files_get_type_size_and_hash():
    checked = check_upload(upload("Ofício Nº 12.PDF", PDF_BYTES, content_type="text/html"))
    assert checked.name == "Ofício Nº 12.pdf"
    assert checked.content_type == "application/pdf"  # from the extension, not the browser
    assert checked.size == len(PDF_BYTES)
    assert len(checked.sha256) == 64


def test_too_many_files(settings):
    settings.PORTAL_ATTACHMENT_MAX_FILES = 2
    assert refusal([upload(f"a{i}.pdf") for i in range(3)]) == TOO_MANY_FILES.format(limit=2)


def test_too_big(settings):
    settings.PORTAL_ATTACHMENT_MAX_MB = 1
    big = upload("planilha.csv", b"a;b\n" * 300_000, "text/csv")
    assert refusal([big]) == FILE_TOO_BIG.format(name="planilha.csv", size="1,1 MB", limit=1)


def test_empty_file():
    assert refusal([upload("vazio.txt", b"", "text/plain")]) == FILE_EMPTY.format(name="vazio.txt")


@pytest.mark.parametrize(
    "name", ["script.exe", "pagina.html", "macro.xlsm", "sem-extensao", "foto.svg"]
)
def test_extensions_outside_the_allow_list(name):
    assert refusal([upload(name, b"conteudo")]) == FILE_TYPE_REFUSED.format(name=name)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("foto.png", "PNG"), ("foto.jpg", "JPG"), ("anim.gif", "GIF"), ("img.webp", "WebP")],
)
def test_image_that_is_not_an_image(name, kind):
    message = refusal([upload(name, b"<html>isto nao e imagem</html>")])
    assert message == FILE_CONTENT_MISMATCH.format(name=name, kind=kind)


def test_pdf_that_is_not_a_pdf():
    message = refusal([upload("oficio.pdf", b"MZ\x90\x00 executavel")])
    assert message == FILE_CONTENT_MISMATCH.format(name="oficio.pdf", kind="PDF")


def test_the_refusal_names_the_bad_file_among_good_ones():
    files = [upload("bom.pdf"), upload("print.png", PNG_BYTES), upload("ruim.png", b"GIF89a...")]
    assert "“ruim.png”" in refusal(files)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ana\\Relatório final.DOCX", "Relatório final.docx"),
        ("nome\x00com\x1fcontrole.pdf", "nomecomcontrole.pdf"),
        ('a<b>c:"d|e?.pdf', "a_b_c__d_e_.pdf"),
        ("", "arquivo"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_names_are_sanitised(raw, safe):
    assert safe_name(raw) == safe
