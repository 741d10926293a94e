"""The lifecycle table of DESIGN.md section 3, checked for every event, state and role."""

import itertools
import re
from pathlib import Path

import pytest

from servicedesk.tickets import status as lc
from servicedesk.tickets.status import Event, Role, Status, WaitingOn

N, A, WR, WT, V, R, C = (
    (Status.NEW, None),
    (Status.ASSIGNED, None),
    (Status.WAITING, WaitingOn.REQUESTER),
    (Status.WAITING, WaitingOn.THIRD_PARTY),
    (Status.TO_VALIDATE, None),
    (Status.RESOLVED, None),
    (Status.CLOSED, None),
)
NONE = (None, None)
REQ, AG, SUP, SYS = Role.REQUESTER, Role.AGENT, Role.SUPERVISOR, Role.SYSTEM
SAME = "unchanged"

# Written out again by hand from the design document, independently of status.py:
# event -> {(state, role): target}
EXPECTED = {
    Event.OPEN: {(NONE, REQ): N},
    Event.ASSIGN: {(N, AG): A, (N, SUP): A},
    Event.REASSIGN: {(s, r): SAME for s in (A, WR, WT, V) for r in (AG, SUP)},
    Event.REQUEST_INFO: {(s, r): WR for s in (N, A) for r in (AG, SUP)},
    Event.WAIT_THIRD_PARTY: {(s, r): WT for s in (N, A) for r in (AG, SUP)},
    Event.REQUESTER_REPLY: {(WR, REQ): A},
    Event.RESUME: {(s, r): A for s in (WR, WT) for r in (AG, SUP)},
    Event.PROPOSE_SOLUTION: {(s, r): V for s in (N, A, WR, WT) for r in (AG, SUP)},
    Event.APPROVE: {(V, REQ): R},
    Event.REFUSE: {(V, REQ): A},
    Event.AUTO_RESOLVE: {(V, SYS): R, (WR, SYS): R},
    Event.REOPEN: {(R, REQ): A},
    Event.AUTO_CLOSE: {(R, SYS): C},
    Event.CLOSE: {(s, SUP): C for s in (N, A, WR, WT, V, R)},
    Event.REQUESTER_COMMENT: {(s, REQ): SAME for s in (N, A, WT, V)},
    Event.AGENT_REPLY: {(s, r): SAME for s in (N, A, WR, WT, V, R) for r in (AG, SUP)},
    Event.PRIVATE_NOTE: {(s, r): SAME for s in (N, A, WR, WT, V, R) for r in (AG, SUP)},
}
STATES = (NONE, N, A, WR, WT, V, R, C)


def test_every_event_is_in_the_table():
    assert set(EXPECTED) == set(Event)
    assert {t.event for t in lc.TRANSITIONS} == set(Event)


@pytest.mark.parametrize(
    ("event", "state", "role"), list(itertools.product(Event, STATES, Role)), ids=str
)
def test_each_event_state_and_role(event, state, role):
    expected = EXPECTED[event].get((state, role))
    if expected is None:
        with pytest.raises(lc.TransitionRefused) as refused:
            lc.target_state(event, state, role)
        assert refused.value.message in (
            lc.TRANSITION_NOT_YOURS,
            lc.TRANSITION_REFUSED.format(status=lc.state_label(state)),
        )
        assert event not in lc.allowed_events(state, role)
    else:
        target = lc.target_state(event, state, role)
        assert target == (state if expected == SAME else expected)
        assert event in lc.allowed_events(state, role)


def test_every_from_to_pair_of_the_design_and_no_other():
    reachable = set()
    for event, state, role in itertools.product(Event, STATES, Role):
        try:
            target = lc.target_state(event, state, role)
        except lc.TransitionRefused:
            continue
        if target != state:
            reachable.add((state, target))
    assert reachable == {
        (NONE, N),
        (N, A),
        (N, WR), (A, WR),
        (N, WT), (A, WT),
        (WR, A), (WT, A),
        (N, V), (A, V), (WR, V), (WT, V),
        (V, R), (WR, R),
        (V, A),
        (R, A),
        (R, C),
        (N, C), (A, C), (WR, C), (WT, C), (V, C),
    }  # fmt: skip


def test_requester_reply_goes_back_to_new_when_nobody_is_assigned():
    assert lc.target_state(Event.REQUESTER_REPLY, WR, REQ, has_assignee=False) == N
    assert lc.target_state(Event.REQUESTER_REPLY, WR, REQ, has_assignee=True) == A


def test_closed_is_final():
    for role in Role:
        assert lc.allowed_events(C, role) == []


def test_refusals_are_in_portuguese():
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.target_state(Event.APPROVE, N, REQ)
    assert refused.value.message == "Esta ação não é permitida para um chamado com status “Novo”."
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.target_state(Event.APPROVE, V, AG)
    assert refused.value.message == "Você não tem permissão para esta ação neste chamado."


def test_labels_and_categories_cover_every_status():
    assert [s.label for s in Status] == [
        "Novo",
        "Atribuído",
        "Aguardando",
        "Validar",
        "Resolvido",
        "Fechado",
    ]
    assert set(lc.CATEGORY) == set(Status)
    assert set(lc.COUNTER_LABELS) == set(Status)


def test_status_is_assigned_only_inside_the_ticket_services():
    root = Path(__file__).resolve().parents[2]
    assignment = re.compile(r"\.status\s*=(?!=)")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.parent != root / "tickets" / "services"
        and assignment.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# Written out again by hand from DESIGN.md section 3, "Interaction": what the requester did
# or was publicly told restarts their clock; private notes and (re)assignments never do.
RESTARTS_CLOCK = {
    Event.OPEN: True,
    Event.ASSIGN: False,
    Event.REASSIGN: False,
    Event.REQUEST_INFO: True,
    Event.WAIT_THIRD_PARTY: True,
    Event.REQUESTER_REPLY: True,
    Event.RESUME: True,
    Event.PROPOSE_SOLUTION: True,
    Event.APPROVE: True,
    Event.REFUSE: True,
    Event.AUTO_RESOLVE: True,
    Event.REOPEN: True,
    Event.AUTO_CLOSE: True,
    Event.CLOSE: True,
    Event.REQUESTER_COMMENT: True,
    Event.AGENT_REPLY: True,
    Event.PRIVATE_NOTE: False,
}


def test_every_event_has_a_decision_on_the_requester_clock():
    assert set(RESTARTS_CLOCK) == set(Event)
    assert set(lc.RESTARTS_REQUESTER_CLOCK) == set(Event)


@pytest.mark.parametrize("event", list(Event), ids=str)
def test_which_events_restart_the_requester_clock(event):
    assert lc.restarts_requester_clock(event) is RESTARTS_CLOCK[event]


def test_events_that_keep_a_ticket_waiting_on_the_requester_restart_only_when_public():
    """The clock only runs while the ticket waits on the requester (validation, or a request
    for information): of what can happen then without ending the wait, only public messages
    count."""
    waiting = (V, WR)
    staying = {
        event
        for event, state, role in itertools.product(Event, waiting, Role)
        if event in lc.allowed_events(state, role) and lc.target_state(event, state, role) == state
    }
    assert staying == {
        Event.REASSIGN,
        Event.AGENT_REPLY,
        Event.PRIVATE_NOTE,
        Event.REQUESTER_COMMENT,
    }
    assert {event for event in staying if lc.restarts_requester_clock(event)} == {
        Event.AGENT_REPLY,
        Event.REQUESTER_COMMENT,
    }
