"""The criminal-record certificate fee: the rules of seed_data/criminal_record_fees.json, applied on a date.

Thông tư 244/2016/TT-BTC until 23/04/2025, Thông tư 16/2025/TT-BTC from 24/04/2025, the Hà Nội subsidy of Nghị
quyết 11/2024/NQ-HĐND; the engine that applies them is `app.services.procedures.fees`.
"""

from datetime import date

from app.services.procedures.fees import FeeFacts, FeeRule, FeeRulesMissing, Quote, load_rules
from app.services.procedures.fees import quote as quote_rules

__all__ = ["FeeFacts", "FeeRulesMissing", "Quote", "fee_rules", "quote"]

FEES_FILE = "criminal_record_fees.json"


def fee_rules() -> tuple[FeeRule, ...]:
    return load_rules(FEES_FILE)


def quote(on: date, copies: int, facts: FeeFacts, rules: tuple[FeeRule, ...] | None = None) -> Quote:
    """The certificate's fee on a date (by the file's rules unless others are given, as tests do)."""
    return quote_rules(on, copies, facts, fee_rules() if rules is None else rules)
