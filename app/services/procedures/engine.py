"""The procedure engine: each procedure is a state machine kept as data; one `transition()` moves it.

A transition checks that the move exists from the current state and that the actor may make it,
appends an event, runs the procedure's side effects and writes the webhook outbox row, all in the
caller's transaction. The `version` column (SQLAlchemy's version counter) makes a second concurrent
transition of the same application fail at flush instead of applying twice.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core.context import Env
from app.core.errors import AppError
from app.models import Application, ApplicationEvent
from app.services import webhooks
from app.services.procedures.vocabulary import Action, Actor, ProcedureKind, Status


class InvalidTransition(AppError):
    status, code, title = 409, "invalid_transition", "Not possible in the application's current state"


class NotYourTurn(AppError):
    status, code, title = 403, "not_your_turn", "This step belongs to someone else"


class ConcurrentUpdate(AppError):
    status, code, title = 409, "concurrent_update", "The application changed meanwhile; read it again"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status
    actors: frozenset[Actor]


@dataclass
class Procedure:
    name: ProcedureKind
    code_prefix: str
    initial: Status
    # Keyed by Action (a StrEnum), so the action a request names finds its transition.
    transitions: dict[str, Transition]
    terminal: frozenset[Status]
    # Side effects run on entering a state, inside the transition's transaction.
    on_enter: dict[Status, Callable[["TransitionContext"], None]] = field(default_factory=dict)


@dataclass(frozen=True)
class TransitionContext:
    env: Env
    application: Application
    actor_personal_id: str | None
    note: str | None


def machine(*rows: tuple[Action, set[Status], Status, set[Actor]]) -> dict[str, Transition]:
    """Transitions from rows of (action, from states, to state, actors)."""
    return {
        action: Transition(action, frozenset(sources), target, frozenset(actors))
        for action, sources, target, actors in rows
    }


# Keyed by ProcedureKind (a StrEnum), so an application's stored `procedure` finds its procedure.
REGISTRY: dict[str, Procedure] = {}


def register(procedure: Procedure) -> Procedure:
    REGISTRY[procedure.name] = procedure
    return procedure


def allowed_actions(application: Application, role: str) -> list[Action]:
    procedure = REGISTRY[application.procedure]
    return [t.action for t in procedure.transitions.values() if application.status in t.sources and role in t.actors]


def create(env: Env, application: Application, *, actor_personal_id: str) -> Application:
    """File a new application in the procedure's initial state, with its first event and outbox row."""
    db = env.db
    procedure = REGISTRY[application.procedure]
    now = env.clock.now()
    application.status = procedure.initial
    application.created_at = application.updated_at = now
    application.code = "PENDING"
    db.add(application)
    db.flush()
    application.code = f"{procedure.code_prefix}-{now:%Y}-{application.id:06d}"
    _record(db, application, now, Action.SUBMIT, None, procedure.initial, actor_personal_id, Actor.APPLICANT, None)
    webhooks.emit(db, now, "application.created", application.client_id, _summary(application))
    db.flush()
    if procedure.initial in procedure.on_enter:
        procedure.on_enter[procedure.initial](TransitionContext(env, application, actor_personal_id, None))
    return application


def transition(
    env: Env,
    application: Application,
    action: str,
    *,
    role: str,
    actor_personal_id: str | None,
    note: str | None = None,
) -> ApplicationEvent:
    procedure = REGISTRY[application.procedure]
    move = procedure.transitions.get(action)
    if move is None or application.status not in move.sources:
        raise InvalidTransition(
            f"cannot {action} an application that is {application.status}",
            current_status=application.status,
            allowed_actions=allowed_actions(application, role),
        )
    if role not in move.actors:
        raise NotYourTurn(f"{action} is for the {' or '.join(sorted(move.actors))}, not the {role}")
    db = env.db
    now = env.clock.now()
    source = application.status
    application.status, application.updated_at = move.target, now
    try:
        db.flush()
    except StaleDataError:
        raise ConcurrentUpdate("another request changed this application first") from None
    event = _record(db, application, now, action, source, move.target, actor_personal_id, role, note)
    webhooks.emit(
        db,
        now,
        "application.status_changed",
        application.client_id,
        {**_summary(application), "from_status": source, "action": action, "note": note},
    )
    if move.target in procedure.on_enter:
        procedure.on_enter[move.target](TransitionContext(env, application, actor_personal_id, note))
    db.flush()
    return event


def _record(
    db: Session,
    application: Application,
    at: datetime,
    action: str,
    source: str | None,
    target: str,
    actor_personal_id: str | None,
    role: str,
    note: str | None,
) -> ApplicationEvent:
    event = ApplicationEvent(
        application_id=application.id,
        at=at,
        action=action,
        from_status=source,
        to_status=target,
        actor_personal_id=actor_personal_id,
        actor_role=role,
        note=note,
    )
    db.add(event)
    return event


def _summary(application: Application) -> dict[str, object]:
    return {"application_code": application.code, "procedure": application.procedure, "status": application.status}
