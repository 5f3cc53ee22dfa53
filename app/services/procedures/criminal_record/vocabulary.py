"""The words of criminal-record certificates: what a request declares, and what the records search finds."""

from enum import StrEnum


class Purpose(StrEnum):
    """What the certificate is for (printed on it; `other` needs a free-text detail)."""

    JOB = "job"
    STUDY_ABROAD = "study_abroad"
    VISA = "visa"
    MARRIAGE_WITH_FOREIGNER = "marriage_with_foreigner"
    OTHER = "other"


class FeeCategory(StrEnum):
    """What the applicant declares about the subject for the fee. Age-based exemptions (children under 16,
    people of 60 or more) are computed from the population record and need no declaration."""

    STANDARD = "standard"
    PUPIL = "pupil"  # học sinh from 16 (Thông tư 16/2025/TT-BTC); younger pupils are children, exempt
    STUDENT = "student"
    REVOLUTIONARY_MERIT = "revolutionary_merit"
    MARTYR_RELATIVE = "martyr_relative"
    DISABLED = "disabled"
    POOR_HOUSEHOLD = "poor_household"
    NEAR_POOR_HOUSEHOLD = "near_poor_household"  # exempt from 24/04/2025 (Thông tư 16/2025/TT-BTC)
    DISADVANTAGED_COMMUNE = "disadvantaged_commune"


class RecordStatus(StrEnum):
    """What the convictions a form shows amount to (`criminal_record_status` in the certificate's data)."""

    NONE = "none"  # nothing shown
    CONVICTED = "convicted"  # at least one conviction shown is not expunged
    EXPUNGED = "expunged"  # every conviction shown is expunged (form 2 only: form 1 leaves them out)


class DeadlineReason(StrEnum):
    """Why the 15-day deadline applies rather than 10 (`data.deadline_reasons`)."""

    LIVED_IN_SEVERAL_PROVINCES = "lived_in_several_provinces"
    EXPUNGEMENT_TO_VERIFY = "expungement_to_verify"
