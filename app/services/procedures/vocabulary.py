"""The words of digital procedures: kinds, statuses, actions and actors, each defined once.

They are `StrEnum`s, so a member is the string stored in the database (`application.procedure`,
`application.status`, `application_event.action`, `application_event.actor_role`), sent in webhooks and shown
by the API; comparing a member with a column's string is a plain string comparison.
"""

from enum import StrEnum


class ProcedureKind(StrEnum):
    """The procedures the sandbox runs (`application.procedure`); each has a state machine in its own module."""

    TEMPORARY_RESIDENCE = "temporary_residence"  # đăng ký tạm trú: temporary_residence.py
    ACCOMMODATION_NOTICE = "accommodation_notice"  # thông báo lưu trú: accommodation_notice.py
    CRIMINAL_RECORD = "criminal_record"  # phiếu lý lịch tư pháp: criminal_record/


class Status(StrEnum):
    """Where an application stands (`application.status`). Which of them a procedure uses, and which are final,
    its state machine says."""

    # Temporary residence
    AWAITING_OWNER = "awaiting_owner"
    IN_REVIEW = "in_review"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    APPROVED = "approved"
    OWNER_DECLINED = "owner_declined"
    MEMBER_DECLINED = "member_declined"  # an adult listed as moving in refused to be
    # Accommodation notices
    RECORDED = "recorded"
    CANCELLED = "cancelled"
    # Criminal-record certificates
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    VERIFYING = "verifying"
    ISSUED = "issued"
    PAYMENT_EXPIRED = "payment_expired"
    # Several procedures
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    """A step that moves an application (`application_event.action`, the `action` of a status-change webhook,
    `allowed_actions` in the API)."""

    SUBMIT = "submit"  # filing: the first event of every application
    OWNER_APPROVE = "owner_approve"
    OWNER_DECLINE = "owner_decline"
    MEMBER_CONFIRM = "member_confirm"  # an adult listed as moving in confirms it (the status stays)
    MEMBER_DECLINE = "member_decline"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"  # an accommodation notice's withdrawal
    PAY = "pay"
    EXPIRE_PAYMENT = "expire_payment"
    START_VERIFICATION = "start_verification"


class Actor(StrEnum):
    """Who takes a step (`application_event.actor_role`): the role a caller plays in one application."""

    APPLICANT = "applicant"  # who filed it (or the host of an accommodation notice)
    OWNER = "owner"  # the owner of the place, who consents to a tenant's registration
    MEMBER = "member"  # someone the applicant lists as moving in too (temporary residence)
    OFFICER = "officer"  # a police or records officer of the application's jurisdiction
    SYSTEM = "system"  # the sandbox itself: a payment, a deadline, a follow-on step


# What an officer may decide, in the order the console offers them.
OFFICER_DECISIONS = (Action.APPROVE, Action.REJECT, Action.REQUEST_SUPPLEMENT)
