"""Digital procedures: the engine and one module per procedure type."""

# Each procedure registers its state machine when imported: import them all with the package.
from app.services.procedures import accommodation_notice, criminal_record, temporary_residence  # noqa: F401
