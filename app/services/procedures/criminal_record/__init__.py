"""Criminal-record certificates (Phiếu lý lịch tư pháp, Luật Lý lịch tư pháp 2009), one module per responsibility.

- `vocabulary`: the procedure's words (purposes, fee categories, record statuses, deadline reasons).
- `fee`: the fee rules (seed_data/criminal_record_fees.json, with validity dates) and the quote.
- `filing`: who may request (the applicant, or their own child under 14), the request's checks, filing it.
- `record`: the records search: the subject's convictions, those a form shows, why the deadline is longer.
- `certificate`: what the issued certificate says.
- `procedure`: the state machine and the side effects of its states.

Flow: awaiting_payment → (payment, or at once when the fee is 0) paid → verifying (records search; deadline
10 days, 15 when the subject lived in several provinces or an expungement must be verified) →
issued (a signed certificate in the subject's wallet) or rejected, by a records officer of the issuing
province. Before payment the applicant may withdraw; a payment left to expire ends the application.
"""

# The state machine registers itself with the engine when imported.
from app.services.procedures.criminal_record import procedure  # noqa: F401
