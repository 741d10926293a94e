"""Assigning tickets to an agent and/or a support group."""

from django.db import transaction

from servicedesk.accounts.models import User
from servicedesk.catalog.models import SupportGroup
from servicedesk.core.errors import ApplicationError
from servicedesk.core.submissions import SubmissionKey, submission_claim

from .. import notifications as notify
from .. import status as lifecycle
from ..models import EntryKind, Ticket, TimelineEntry
from ..permissions import is_agent
from .transitions import Action, lock_for_action, transition_apply

ASSIGN_NOBODY = "Escolha um técnico ou um grupo."
ASSIGN_NOT_AN_AGENT = "Escolha um técnico da equipe de atendimento."
ASSIGN_UNCHANGED = "O chamado já está atribuído assim."


def _assignee_label(agent: User | None, group: SupportGroup | None) -> str:
    if agent and group:
        return f"{agent.get_full_name()} ({group.name})"
    return agent.get_full_name() if agent else group.name


def assign_within(
    action: Action, *, agent: User | None, group: SupportGroup | None
) -> TimelineEntry:
    """Assign inside an action already locked (also used when a reply or a solution makes
    its author the assignee of an unassigned ticket)."""
    ticket = action.ticket
    if agent is None and group is None:
        raise ApplicationError(ASSIGN_NOBODY, field="agent")
    if agent is not None and not is_agent(agent):
        raise ApplicationError(ASSIGN_NOT_AN_AGENT, field="agent")
    if group is None:
        group = ticket.assigned_group
    same_agent = (agent.pk if agent else None) == ticket.assigned_agent_id
    if same_agent and (group.pk if group else None) == ticket.assigned_group_id:
        raise ApplicationError(ASSIGN_UNCHANGED, field="agent")
    event = (
        lifecycle.Event.ASSIGN
        if ticket.status == lifecycle.Status.NEW
        else lifecycle.Event.REASSIGN
    )
    before_agent, before_group = ticket.assigned_agent, ticket.assigned_group
    # Names as they were (the timeline is the audit log); the entry shows only what changed
    # (templatetags/tickets_tags.assignment_change). The labels are what entries written
    # before the names were stored apart carry.
    payload = {
        "from_label": _assignee_label(before_agent, before_group)
        if (before_agent or before_group)
        else "",
        "to_label": _assignee_label(agent, group),
        "to_agent": agent.pk if agent else None,
        "to_group": group.pk if group else None,
        "from_agent_name": before_agent.get_full_name() if before_agent else "",
        "from_group_name": before_group.name if before_group else "",
        "to_agent_name": agent.get_full_name() if agent else "",
        "to_group_name": group.name if group else "",
    }
    ticket.assigned_agent = agent
    ticket.assigned_group = group
    entry = transition_apply(action, event, kind=EntryKind.ASSIGNMENT, payload=payload)
    notify.ticket_assigned(ticket, entry)
    return entry


def ticket_assign(
    *,
    actor: User,
    ticket: Ticket,
    agent: User | None = None,
    group: SupportGroup | None = None,
    submission: SubmissionKey | None = None,
) -> TimelineEntry:
    """Assign to an agent, to a group, or both. Only agents and supervisors may. A repeat of
    the same `submission` (core/submissions.py) returns the first one's entry."""
    with transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        return claim.record(assign_within(action, agent=agent, group=group))


def assign_author_if_unassigned(action: Action) -> None:
    """ "An agent who replies to or proposes a solution for an unassigned ticket becomes its
    assignee" (DESIGN.md section 3)."""
    if action.role in (lifecycle.Role.AGENT, lifecycle.Role.SUPERVISOR) and (
        action.ticket.assigned_agent_id is None
    ):
        assign_within(action, agent=action.actor, group=None)
