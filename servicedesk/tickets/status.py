"""The ticket lifecycle as data: statuses, labels, categories and the transition table.

This module is the contract of DESIGN.md section 3 and touches no database. Services ask it
whether an event is allowed and where it leads; nothing else decides a status.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class Status(models.TextChoices):
    # In the order the counters show them.
    NEW = "new", "Novo"
    ASSIGNED = "assigned", "Atribuído"
    WAITING = "waiting", "Aguardando"
    TO_VALIDATE = "to_validate", "Validar"
    RESOLVED = "resolved", "Resolvido"
    CLOSED = "closed", "Fechado"


class WaitingOn(models.TextChoices):
    REQUESTER = "requester", "Aguardando o requerente"
    THIRD_PARTY = "third_party", "Aguardando terceiros"


class Category(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    DONE = "done"


CATEGORY = {
    Status.NEW: Category.OPEN,
    Status.ASSIGNED: Category.OPEN,
    Status.WAITING: Category.WAITING,
    Status.TO_VALIDATE: Category.WAITING,
    Status.RESOLVED: Category.DONE,
    Status.CLOSED: Category.DONE,
}

# Labels of the counters widget and of "Meus chamados" filters (plural where the manual is).
COUNTER_LABELS = {
    Status.NEW: "Novo",
    Status.ASSIGNED: "Atribuídos",
    Status.WAITING: "Aguardando",
    Status.TO_VALIDATE: "Validar",
    Status.RESOLVED: "Resolvido",
    Status.CLOSED: "Fechado",
}


class Role(StrEnum):
    REQUESTER = "requester"  # the ticket's own requester
    AGENT = "agent"
    SUPERVISOR = "supervisor"  # an agent who may also close
    SYSTEM = "system"  # the periodic job


class Event(StrEnum):
    OPEN = "open"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    REQUEST_INFO = "request_info"
    WAIT_THIRD_PARTY = "wait_third_party"
    REQUESTER_REPLY = "requester_reply"  # answers a request for information
    RESUME = "resume"
    PROPOSE_SOLUTION = "propose_solution"
    APPROVE = "approve"
    REFUSE = "refuse"
    AUTO_RESOLVE = "auto_resolve"
    REOPEN = "reopen"
    AUTO_CLOSE = "auto_close"
    CLOSE = "close"
    REQUESTER_COMMENT = "requester_comment"  # a reply that changes no status
    AGENT_REPLY = "agent_reply"  # a public reply that changes no status
    PRIVATE_NOTE = "private_note"


# A state is the status plus, while waiting, whom the ticket waits on.
State = tuple[Status | None, WaitingOn | None]

WAITING_ON_REQUESTER: State = (Status.WAITING, WaitingOn.REQUESTER)
WAITING_ON_THIRD_PARTY: State = (Status.WAITING, WaitingOn.THIRD_PARTY)
NEW: State = (Status.NEW, None)
ASSIGNED: State = (Status.ASSIGNED, None)
TO_VALIDATE: State = (Status.TO_VALIDATE, None)
RESOLVED: State = (Status.RESOLVED, None)
CLOSED: State = (Status.CLOSED, None)
WAITING_ANY = (WAITING_ON_REQUESTER, WAITING_ON_THIRD_PARTY)
ALL_STATES: tuple[State, ...] = (NEW, ASSIGNED, *WAITING_ANY, TO_VALIDATE, RESOLVED, CLOSED)
NOT_CLOSED = tuple(state for state in ALL_STATES if state != CLOSED)

AGENTS = frozenset({Role.AGENT, Role.SUPERVISOR})
UNCHANGED = None  # target of events that keep the state


@dataclass(frozen=True)
class Transition:
    event: Event
    sources: tuple[State, ...]
    roles: frozenset[Role]
    target: State | None  # None: the state does not change
    # "assigned (or new if nobody is assigned)": the service applies it, the table records it.
    new_when_unassigned: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Event.OPEN, ((None, None),), frozenset({Role.REQUESTER}), NEW),
    Transition(Event.ASSIGN, (NEW,), AGENTS, ASSIGNED),
    Transition(Event.REASSIGN, (ASSIGNED, *WAITING_ANY, TO_VALIDATE), AGENTS, UNCHANGED),
    Transition(Event.REQUEST_INFO, (NEW, ASSIGNED), AGENTS, WAITING_ON_REQUESTER),
    Transition(Event.WAIT_THIRD_PARTY, (NEW, ASSIGNED), AGENTS, WAITING_ON_THIRD_PARTY),
    Transition(
        Event.REQUESTER_REPLY,
        (WAITING_ON_REQUESTER,),
        frozenset({Role.REQUESTER}),
        ASSIGNED,
        new_when_unassigned=True,
    ),
    Transition(Event.RESUME, WAITING_ANY, AGENTS, ASSIGNED),
    Transition(Event.PROPOSE_SOLUTION, (NEW, ASSIGNED, *WAITING_ANY), AGENTS, TO_VALIDATE),
    Transition(Event.APPROVE, (TO_VALIDATE,), frozenset({Role.REQUESTER}), RESOLVED),
    Transition(Event.REFUSE, (TO_VALIDATE,), frozenset({Role.REQUESTER}), ASSIGNED),
    Transition(
        Event.AUTO_RESOLVE, (TO_VALIDATE, WAITING_ON_REQUESTER), frozenset({Role.SYSTEM}), RESOLVED
    ),
    Transition(Event.REOPEN, (RESOLVED,), frozenset({Role.REQUESTER}), ASSIGNED),
    Transition(Event.AUTO_CLOSE, (RESOLVED,), frozenset({Role.SYSTEM}), CLOSED),
    Transition(Event.CLOSE, NOT_CLOSED, frozenset({Role.SUPERVISOR}), CLOSED),
    Transition(
        Event.REQUESTER_COMMENT,
        (NEW, ASSIGNED, WAITING_ON_THIRD_PARTY, TO_VALIDATE),
        frozenset({Role.REQUESTER}),
        UNCHANGED,
    ),
    Transition(Event.AGENT_REPLY, NOT_CLOSED, AGENTS, UNCHANGED),
    Transition(Event.PRIVATE_NOTE, NOT_CLOSED, AGENTS, UNCHANGED),
)

_BY_EVENT = {transition.event: transition for transition in TRANSITIONS}

# Which events restart the requester's clock (the FEEDBACK_DAYS count towards an automatic
# resolution, and the "last update" the requester sees and sorts "Meus chamados" by).
# DESIGN.md section 3, "Interaction": something the requester did or was publicly told
# restarts it; private notes, (re)assignments and anything else only the team sees never
# do, so a date announced in a reminder holds unless something visible happened since.
# Every event is listed, so a new one needs a decision here (test_status checks it).
RESTARTS_REQUESTER_CLOCK: dict[Event, bool] = {
    # What the requester did.
    Event.OPEN: True,
    Event.REQUESTER_REPLY: True,
    Event.REQUESTER_COMMENT: True,
    Event.APPROVE: True,
    Event.REFUSE: True,
    Event.REOPEN: True,
    # What the requester was publicly told: a message, a question, a solution, or a change
    # of status written on their timeline (waiting on whom and why, resumed, resolved,
    # closed). None of the status changes leaves the ticket waiting on the requester, so
    # they restart a clock that is not running; they do move the ticket up their list.
    Event.AGENT_REPLY: True,
    Event.REQUEST_INFO: True,
    Event.PROPOSE_SOLUTION: True,
    Event.WAIT_THIRD_PARTY: True,
    Event.RESUME: True,
    Event.AUTO_RESOLVE: True,
    Event.AUTO_CLOSE: True,
    Event.CLOSE: True,
    # The team's own business: routing between agents and groups, and notes the requester
    # never sees.
    Event.ASSIGN: False,
    Event.REASSIGN: False,
    Event.PRIVATE_NOTE: False,
}

TRANSITION_REFUSED = "Esta ação não é permitida para um chamado com status “{status}”."
TRANSITION_NOT_YOURS = "Você não tem permissão para esta ação neste chamado."


class TransitionRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def state_label(state: State) -> str:
    status, waiting_on = state
    if status is None:
        return "—"
    if status == Status.WAITING and waiting_on:
        return f"{Status(status).label} ({WaitingOn(waiting_on).label.lower()})"
    return Status(status).label


def find(event: Event, state: State, role: Role) -> Transition:
    """The transition `event` takes from `state` for `role`, or TransitionRefused (pt-BR)."""
    transition = _BY_EVENT[event]
    if state not in transition.sources:
        raise TransitionRefused(TRANSITION_REFUSED.format(status=state_label(state)))
    if role not in transition.roles:
        raise TransitionRefused(TRANSITION_NOT_YOURS)
    return transition


def target_state(event: Event, state: State, role: Role, *, has_assignee: bool = True) -> State:
    """The state after `event`; the same state for events that change nothing."""
    transition = find(event, state, role)
    if transition.target is UNCHANGED:
        return state
    if transition.new_when_unassigned and not has_assignee:
        return NEW
    return transition.target


def restarts_requester_clock(event: Event) -> bool:
    """Whether `event` counts as an interaction with the requester (RESTARTS_REQUESTER_CLOCK)."""
    return RESTARTS_REQUESTER_CLOCK[event]


def allowed_events(state: State, role: Role) -> list[Event]:
    """What a user with `role` may do now: the desk shows exactly these actions."""
    return [t.event for t in TRANSITIONS if state in t.sources and role in t.roles]
