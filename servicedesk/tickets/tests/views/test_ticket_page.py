import re

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory
from servicedesk.core.formfields import HIDDEN_FIELD_INVALID
from servicedesk.tickets.models import Attachment, EntryKind, TimelineEntry
from servicedesk.tickets.services.timeline import MESSAGE_EMPTY
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    AttachmentFactory,
    TicketFactory,
    TimelineEntryFactory,
    upload,
)
from servicedesk.tickets.tests.test_richtext import DANGEROUS, XSS_PAYLOADS
from servicedesk.tickets.uploads import NOT_AN_IMAGE

pytestmark = pytest.mark.django_db


def page_url(ticket):
    return reverse("tickets:detail", args=[ticket.number])


def reply_url(ticket):
    return reverse("tickets:reply", args=[ticket.number])


def image_url(ticket):
    return reverse("tickets:inline_image", args=[ticket.number])


@pytest.fixture
def ticket(requester):
    return TicketFactory(requester=requester)


@pytest.fixture
def logged(client, requester):
    client.force_login(requester)
    return client


class TestTimeline:
    def test_opening_messages_and_system_lines_in_order(self, logged, ticket):
        agent = UserFactory(full_name="Tiago Técnico")
        TimelineEntryFactory(ticket=ticket, actor=agent, body_html="<p>Pode enviar o print?</p>")
        TimelineEntryFactory(
            ticket=ticket,
            kind=EntryKind.STATUS_CHANGE,
            actor=agent,
            payload={"from": "assigned", "to": "waiting", "to_waiting_on": "requester"},
        )
        TimelineEntryFactory(ticket=ticket, body_html="<p>Segue.</p>")
        html = logged.get(page_url(ticket)).content.decode()
        positions = [
            html.index(text)
            for text in (
                "Descrição",
                "Pode enviar o print?",
                "Aguardando (aguardando o requerente)",
                "Segue.",
            )
        ]
        assert positions == sorted(positions)
        assert "portal-opening" in html  # the green box
        assert ">equipe<" in html and ">requerente<" in html
        # The date and time; the page's script adds "há …" before it (or in its place on a
        # system line), so that the timeline can be cached.
        assert re.search(
            r'<time datetime="[^"]+" title="(\d\d/\d\d/\d{4} \d\d:\d\d)" '
            r'data-relative="before">\1</time>',
            html,
        )
        assert 'data-relative="only">' in html

    def test_private_notes_never_reach_the_requester(self, logged, ticket):
        TimelineEntryFactory(
            ticket=ticket,
            kind=EntryKind.NOTE,
            is_private=True,
            actor=UserFactory(),
            body_html="<p>Nota interna: usuário insistente</p>",
        )
        html = logged.get(page_url(ticket)).content.decode()
        assert "Nota interna" not in html and "Nota privada" not in html

    def test_answers_with_html_are_shown_escaped(self, logged, requester):
        ticket = TicketFactory(
            requester=requester,
            answers=[{"label": "Descreva", "value": p} for p in XSS_PAYLOADS],
        )
        html = logged.get(page_url(ticket)).content.decode()
        body = html.split('class="portal-answers"')[1].split("</dl>")[0]
        assert "<script" not in body and "<img" not in body and "<a " not in body
        assert "&lt;script&gt;" in body

    def test_query_count_with_50_entries_and_30_attachments(
        self, logged, ticket, django_assert_num_queries
    ):
        authors = UserFactory.create_batch(3)
        entries = [TimelineEntryFactory(ticket=ticket, actor=authors[i % 3]) for i in range(50)]
        for i in range(30):
            AttachmentFactory(entry=entries[i])
        # session, user, is the user an agent, ticket with card/subject/people,
        # entries with authors and solutions, their files
        with django_assert_num_queries(6):
            response = logged.get(page_url(ticket))
        assert response.content.decode().count('class="portal-message ') == 50
        assert response.content.decode().count("documento.pdf") == 30


class TestReply:
    def test_plain_post_adds_the_message_and_redirects_to_it(self, logged, ticket):
        response = logged.post(reply_url(ticket), {"body": "Bom dia\nsegue", "body_format": "text"})
        entry = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.MESSAGE)
        assert response.status_code == 302
        assert response.url == f"{page_url(ticket)}#registro-{entry.pk}"
        html = logged.get(page_url(ticket)).content.decode()
        assert "<p>Bom dia<br>segue</p>" in html
        assert "Mensagem adicionada ao chamado." in html

    def test_htmx_post_returns_the_updated_ticket_without_a_reload(self, logged, ticket):
        response = logged.post(
            reply_url(ticket),
            {
                "body": "<p><strong>negrito</strong> e <a href='https://www.gov.br'>link</a></p>",
                "body_format": "html",
            },
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="chamado-vivo">')
        assert "<strong>negrito</strong>" in html
        assert 'href="https://www.gov.br" rel="noopener noreferrer nofollow"' in html

    def test_reply_with_a_file_and_a_pasted_image(self, logged, ticket):
        image = logged.post(
            image_url(ticket), {"image": upload("print.png", PNG_BYTES, "image/png")}
        )
        assert image.status_code == 201
        src = image.json()["url"]
        body = f'<p>Veja o erro:</p><p><img src="{src}"></p>'
        logged.post(
            reply_url(ticket),
            {"body": body, "body_format": "html", "files": [upload("oficio.pdf")]},
        )
        html = logged.get(page_url(ticket)).content.decode()
        assert f'<img src="{src}">' in html
        pdf = Attachment.objects.get(original_name="oficio.pdf")
        assert f'href="{pdf.get_absolute_url()}"' in html
        assert logged.get(src).status_code == 200

    @pytest.mark.parametrize("htmx", [False, True])
    def test_an_unknown_body_format_is_said_and_the_text_stays(self, logged, ticket, htmx):
        """Issue 15, item 3: the 400 said nothing and the reply was silently dropped."""
        headers = {"HX-Request": "true"} if htmx else {}
        response = logged.post(
            reply_url(ticket),
            {"body": "Minha resposta importante", "body_format": "markdown"},
            headers=headers,
        )
        assert response.status_code == 400
        html = response.content.decode()
        message = HIDDEN_FIELD_INVALID.format(label="formato do texto")
        assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in html or message in html
        assert "Minha resposta importante" in html
        assert not TimelineEntry.objects.filter(kind=EntryKind.MESSAGE).exists()

    def test_empty_message_is_refused_and_what_was_typed_stays(self, logged, ticket):
        response = logged.post(reply_url(ticket), {"body": "<p>  </p>", "body_format": "html"})
        assert response.status_code == 400
        assert MESSAGE_EMPTY in response.content.decode()
        assert not TimelineEntry.objects.filter(kind=EntryKind.MESSAGE).exists()

    def test_bad_file_keeps_the_text(self, logged, ticket):
        response = logged.post(
            reply_url(ticket),
            {
                "body": "Texto digitado",
                "body_format": "text",
                "files": [upload("virus.exe", b"MZ")],
            },
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert "“virus.exe” não é de um tipo aceito" in html
        assert "Texto digitado</textarea>" in html

    @pytest.mark.parametrize("payload", XSS_PAYLOADS)
    def test_stored_xss_in_replies_is_rendered_inert(self, logged, ticket, payload):
        logged.post(reply_url(ticket), {"body": f"<p>ok</p>{payload}", "body_format": "html"})
        html = logged.get(page_url(ticket)).content.decode()
        bodies = "".join(re.findall(r'<div class="portal-message-body">(.*?)</div>', html, re.S))
        assert not DANGEROUS.search(bodies), bodies

    def test_requester_reply_answers_a_request_for_information(self, logged, requester):
        ticket = TicketFactory(
            requester=requester, status=Status.WAITING, waiting_on=WaitingOn.REQUESTER
        )
        logged.post(reply_url(ticket), {"body": "Aqui está", "body_format": "text"})
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW
        page = logged.get(page_url(ticket)).content.decode()
        assert "Status: Aguardando (aguardando o requerente) → <strong>Novo</strong>" in page

    def test_closed_ticket_refuses_replies_with_a_message(self, logged, requester):
        ticket = TicketFactory(requester=requester, status=Status.CLOSED)
        page = logged.get(page_url(ticket)).content.decode()
        assert "não recebe novas mensagens" in page and "Adicionar" not in page
        response = logged.post(reply_url(ticket), {"body": "insisto", "body_format": "text"})
        assert response.status_code == 400
        assert (
            "Esta ação não é permitida para um chamado com status “Fechado”."
            in response.content.decode()
        )


class TestInlineImage:
    def test_only_images_are_accepted(self, logged, ticket):
        response = logged.post(image_url(ticket), {"image": upload("oficio.pdf")})
        assert response.status_code == 400
        assert response.json() == {"error": NOT_AN_IMAGE.format(name="oficio.pdf")}
        assert logged.post(image_url(ticket), {}).json() == {"error": "Escolha uma imagem."}


class TestDownload:
    def test_pdf_and_images_inline_with_safe_headers(self, logged, ticket):
        attachment = AttachmentFactory(entry=ticket.entries.get())
        response = logged.get(attachment.get_absolute_url())
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'inline; filename="documento.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("default-src 'none'")

    @pytest.mark.parametrize("inline", [False, True], ids=["attachment", "pasted-image"])
    def test_the_browser_never_stores_a_file(self, logged, ticket, inline):
        """Issue 15, item 6: after logout on a shared computer the file must not be in the
        browser's cache."""
        if inline:
            attachment = AttachmentFactory(
                entry=ticket.entries.get(),
                file__data=PNG_BYTES,
                original_name="print.png",
                content_type="image/png",
                is_inline=True,
            )
        else:
            attachment = AttachmentFactory(entry=ticket.entries.get())
        response = logged.get(attachment.get_absolute_url())
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"

    def test_other_types_are_downloaded_with_their_original_name(self, logged, ticket):
        attachment = AttachmentFactory(
            entry=ticket.entries.get(),
            original_name="Planilha de créditos.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response = logged.get(attachment.get_absolute_url())
        assert response["Content-Disposition"].startswith("attachment;")
        assert (
            "filename*=utf-8''Planilha%20de%20cr%C3%A9ditos.xlsx" in response["Content-Disposition"]
        )

    def test_x_accel_redirect_lets_the_proxy_stream(self, logged, ticket, settings):
        settings.PORTAL_ATTACHMENT_X_ACCEL_PREFIX = "/protegido/"
        attachment = AttachmentFactory(entry=ticket.entries.get())
        response = logged.get(attachment.get_absolute_url())
        assert response["X-Accel-Redirect"] == f"/protegido/{attachment.file.name}"
        assert response.content == b""


class TestVisibility:
    """A second requester gets 404 for everything of the first one's ticket."""

    @pytest.fixture
    def intruder(self, client):
        client.force_login(UserFactory())
        return client

    def test_ticket_page_reply_and_image_upload(self, intruder, ticket):
        assert intruder.get(page_url(ticket)).status_code == 404
        assert (
            intruder.post(reply_url(ticket), {"body": "x", "body_format": "text"}).status_code
            == 404
        )
        assert (
            intruder.post(image_url(ticket), {"image": upload("a.png", PNG_BYTES)}).status_code
            == 404
        )
        assert not TimelineEntry.objects.filter(kind=EntryKind.MESSAGE).exists()

    def test_attachments_and_inline_images_by_number_and_by_id(
        self, intruder, client, requester, ticket
    ):
        attachment = AttachmentFactory(entry=ticket.entries.get())
        assert intruder.get(attachment.get_absolute_url()).status_code == 404
        # Their own ticket number with the first requester's attachment id: still 404.
        own = TicketFactory(requester=UserFactory())
        intruder.force_login(own.requester)
        url = reverse("tickets:attachment", args=[own.number, attachment.pk])
        assert intruder.get(url).status_code == 404

    def test_private_note_files_and_others_pasted_images_are_hidden(self, logged, ticket):
        agent = UserFactory()
        note = TimelineEntryFactory(
            ticket=ticket, kind=EntryKind.NOTE, is_private=True, actor=agent
        )
        note_file = AttachmentFactory(entry=note)
        draft_image = Attachment.objects.create(
            ticket=ticket,
            file="x.png",
            original_name="x.png",
            size=1,
            content_type="image/png",
            sha256="0" * 64,
            uploaded_by=agent,
            is_inline=True,
        )
        assert logged.get(note_file.get_absolute_url()).status_code == 404
        assert logged.get(draft_image.get_absolute_url()).status_code == 404


def test_my_tickets_with_500_tickets_keeps_its_query_count(
    client, requester, django_assert_num_queries
):
    subject = SubjectFactory(name="Erro ao cadastrar emenda")
    TicketFactory.create_batch(500, requester=requester, subject=subject)
    client.force_login(requester)
    # session, user, page, counters (which also count the pages), the catalog's names (for
    # the rows' card and subject), is the user an agent (menu)
    with django_assert_num_queries(6):
        html = client.get(reverse("tickets:list")).content.decode()
    assert html.count("Erro ao cadastrar emenda") == 20
    assert "Página 1 de 25" in html
    # Then: session, user, page.
    with django_assert_num_queries(3):
        html = client.get(reverse("tickets:list"), {"pagina": 3}).content.decode()
    assert html.count("Erro ao cadastrar emenda") == 20
    # A search counts its own matches.
    with django_assert_num_queries(4):
        html = client.get(reverse("tickets:list"), {"busca": "emenda", "pagina": 2}).content
    assert html.decode().count("Erro ao cadastrar emenda") == 20
    assert "Página 2 de 25" in html.decode()


def test_my_tickets_text_filter_by_number_or_subject(client, requester):
    # Card titles without digits, so a search by number matches only the number.
    amendment = TicketFactory(
        requester=requester,
        subject=SubjectFactory(name="Erro ao cadastrar emenda", service__title="Emendas"),
    )
    report = TicketFactory(
        requester=requester,
        subject=SubjectFactory(name="Relatório lento", service__title="Relatórios"),
    )
    client.force_login(requester)
    for text, expected in [
        ("emenda", amendment),
        (str(report.number), report),
        (f"#{report.number}", report),
    ]:
        html = client.get(reverse("tickets:list"), {"busca": text}).content.decode()
        assert f">nº {expected.number}<" in html
        other = report if expected == amendment else amendment
        assert f">nº {other.number}<" not in html
    assert (
        "Nenhum chamado encontrado"
        in client.get(reverse("tickets:list"), {"busca": "xyz"}).content.decode()
    )


def test_every_state_changing_view_refuses_a_post_without_csrf_token(requester, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(requester)
    subject = SubjectFactory()
    urls = [
        reply_url(ticket),
        image_url(ticket),
        reverse("catalog:subject", args=[subject.service.slug, subject.pk]),
        reverse("accounts:logout"),
        reverse("accounts:password_change"),
        reverse("accounts:login"),
    ]
    for url in urls:
        assert client.post(url, {"body": "x"}).status_code == 403, url
    assert not TimelineEntry.objects.filter(kind=EntryKind.MESSAGE).exists()
