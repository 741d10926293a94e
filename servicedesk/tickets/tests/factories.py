import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.status import Status

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name="relatorio.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row as the services would leave it (for list and count tests only)."""

    class Meta:
        model = Ticket

    requester = factory.SubFactory(UserFactory)
    subject = factory.SubFactory(SubjectFactory)
    service = factory.SelfAttribute("subject.service")
    assigned_group = factory.SelfAttribute("subject.support_group")
    status = Status.NEW
    answers = factory.LazyFunction(
        lambda: [{"label": "Descrição", "value": "Texto", "type": "long_text"}]
    )
