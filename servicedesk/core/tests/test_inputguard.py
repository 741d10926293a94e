"""Hostile text is refused with a pt-BR 400 naming the field, before any view (issue 15,
item 2). tests/test_bad_input_walk.py sends the same to every URL of the portal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from servicedesk.core.inputguard import HAS_NUL, NOT_UTF8, TOO_LONG
from servicedesk.tickets.models import TimelineEntry
from servicedesk.tickets.tests.factories import PNG_BYTES, TicketFactory
from servicedesk.tickets.uploads import FILE_NAME_TOO_LONG

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")


@pytest.fixture
def logged(client, requester):
    client.force_login(requester)
    return client


def page_says(response, text: str) -> bool:
    return text.replace("“", "&ldquo;") in response.content.decode() or (
        text in response.content.decode()
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("busca=%00", HAS_NUL.format(field="busca")),
        ("busca=a%00b", HAS_NUL.format(field="busca")),
        ("busca=%FF", NOT_UTF8.format(field="busca")),
        ("busca=%ED%A0%80", NOT_UTF8.format(field="busca")),  # a surrogate, UTF-8 encoded
        ("pagina=%C3", NOT_UTF8.format(field="pagina")),
        ("busca=" + "a" * 9000, TOO_LONG.format(field="busca", limit="8.192")),
    ],
    ids=["nul", "nul-inside", "invalid-byte", "surrogate", "truncated", "too-long"],
)
def test_bad_query_text_is_a_400_naming_the_parameter(logged, query, message):
    response = logged.get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert page_says(response, message), response.content.decode()
    assert "Dados inválidos" in response.content.decode()


def test_a_normal_search_still_works(logged):
    assert logged.get(LIST, {"busca": "emenda ção"}).status_code == 200


def test_a_nul_in_a_posted_field_is_refused_and_nothing_is_saved(logged, requester):
    ticket = TicketFactory(requester=requester)
    url = reverse("tickets:reply", args=[ticket.number])
    before = TimelineEntry.objects.count()
    response = logged.post(url, {"body": "oi\x00tchau", "body_format": "text"})
    assert response.status_code == 400
    assert page_says(response, HAS_NUL.format(field="body"))
    assert TimelineEntry.objects.count() == before


def test_a_nul_in_a_multipart_field(logged, requester):
    ticket = TicketFactory(requester=requester)
    url = reverse("tickets:reply", args=[ticket.number])
    image = SimpleUploadedFile("print.png", PNG_BYTES, content_type="image/png")
    response = logged.post(url, {"body": "oi\x00", "body_format": "text", "files": [image]})
    assert response.status_code == 400
    assert page_says(response, HAS_NUL.format(field="body"))
    assert not ticket.attachments.exists()


def test_a_nul_in_a_header_the_portal_stores(client, requester):
    """django-axes writes the User-Agent of a failed login into the database."""
    response = client.post(
        reverse("accounts:login"),
        {"cpf": requester.cpf, "password": "errada"},
        HTTP_USER_AGENT="Mozilla\x00",
    )
    assert response.status_code == 400
    assert page_says(response, HAS_NUL.format(field="User-Agent"))


def test_a_nul_in_the_login_password_is_refused(client, requester):
    response = client.post(reverse("accounts:login"), {"cpf": requester.cpf, "password": "a\x00"})
    assert response.status_code == 400
    assert page_says(response, HAS_NUL.format(field="password"))


class TestFileNames:
    """Issue 15, item 3: a 1,000-character file name got Django's bare "Pedido inválido"."""

    def _multipart(self, name: str) -> bytes:
        boundary = "XyZ"
        return (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="body"\r\n\r\noi\r\n'
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="body_format"\r\n\r\ntext\r\n'
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
                "Content-Type: image/png\r\n\r\n"
            ).encode()
            + PNG_BYTES
            + f"\r\n--{boundary}--\r\n".encode()
        )

    def test_a_1000_character_file_name_gets_a_message_on_the_file_field(self, logged, requester):
        ticket = TicketFactory(requester=requester)
        url = reverse("tickets:reply", args=[ticket.number])
        before = TimelineEntry.objects.count()
        # As a browser sends it: the test client would cut the name to 255 characters.
        response = logged.generic(
            "POST",
            url,
            self._multipart("a" * 1000 + ".png"),
            content_type="multipart/form-data; boundary=XyZ",
        )
        assert response.status_code == 400
        html = response.content.decode()
        shown = "a" * 40 + "…" + "a" * 8 + ".png"
        assert FILE_NAME_TOO_LONG.format(name=shown, limit=254).replace("“", "&ldquo;") in html or (
            FILE_NAME_TOO_LONG.format(name=shown, limit=254) in html
        )
        assert "oi" in html  # what was typed stays
        assert TimelineEntry.objects.count() == before

    def test_an_accented_name_of_200_characters_is_accepted(self, logged, requester):
        ticket = TicketFactory(requester=requester)
        url = reverse("tickets:reply", args=[ticket.number])
        response = logged.generic(
            "POST",
            url,
            self._multipart("ção" * 66 + ".png"),
            content_type="multipart/form-data; boundary=XyZ",
        )
        assert response.status_code == 302


def test_a_nul_in_the_path_is_refused_before_any_view(client, requester):
    client.force_login(requester)
    response = client.get("/avaliacao/abc%00def/")
    assert response.status_code == 400
    assert page_says(response, HAS_NUL.format(field="endereço"))
