import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory
from servicedesk.tickets.models import Attachment, EntryKind, Ticket, TimelineEntry
from servicedesk.tickets.status import Status

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name="relatorio.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry

    kind = EntryKind.MESSAGE
    actor = factory.SelfAttribute("ticket.requester")
    body_html = "<p>Mensagem</p>"
    body_text = "Mensagem"


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    ticket = factory.SelfAttribute("entry.ticket")
    file = factory.django.FileField(filename="documento.pdf", data=PDF_BYTES)
    original_name = "documento.pdf"
    size = len(PDF_BYTES)
    content_type = "application/pdf"
    sha256 = "0" * 64
    uploaded_by = factory.SelfAttribute("entry.actor")


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket as ticket_open leaves it, with its opening entry (for view and list tests)."""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    requester = factory.SubFactory(UserFactory)
    subject = factory.SubFactory(SubjectFactory)
    service = factory.SelfAttribute("subject.service")
    assigned_group = factory.SelfAttribute("subject.support_group")
    status = Status.NEW
    answers = factory.LazyFunction(
        lambda: [{"label": "Descrição", "value": "Texto", "type": "long_text"}]
    )
    opened = factory.RelatedFactory(
        TimelineEntryFactory, factory_related_name="ticket", kind=EntryKind.OPENED, body_html=""
    )
