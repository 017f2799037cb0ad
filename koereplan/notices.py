"""The one door for every kind of notice: the `kind` field picks the model that checks the rest."""

from __future__ import annotations

from datetime import date

from koereplan.notice import Notice, decode_object, validate_notice
from koereplan.withdrawal import Withdrawal

AnyNotice = Notice | Withdrawal


def read_notice(raw: bytes, *, municipality_code: str, today: date | None = None) -> AnyNotice:
    """A first notice, or a notice that changes a stored case; NoticeRejected when bad."""
    data = decode_object(raw)
    if data.get("kind") == "tilbagekaldelse":
        return validate_notice(Withdrawal, data, municipality_code=municipality_code, today=today)
    return validate_notice(Notice, data, municipality_code=municipality_code, today=today)
