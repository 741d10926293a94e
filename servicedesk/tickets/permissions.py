"""Who a user is on a given ticket, in the terms of the lifecycle table."""

from servicedesk.accounts.models import User

from .models import Ticket
from .status import Role

NOT_A_PARTICIPANT = "Você não participa deste chamado."


def role_on_ticket(user: User, ticket: Ticket) -> Role | None:
    """REQUESTER for the ticket's own requester; agent roles arrive with the desk."""
    if user.pk == ticket.requester_id:
        return Role.REQUESTER
    return None
