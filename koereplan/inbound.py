"""Every notice file through one door: read the JSON once, then validate it by its `kind`."""

from __future__ import annotations

from datetime import date

from koereplan.amendment import AENDRING, Amendment
from koereplan.notice import Notice, validate_as, validate_notice
from koereplan.notice_json import read_json
from koereplan.withdrawal import TILBAGEKALDELSE, Withdrawal

Inbound = Notice | Amendment | Withdrawal


def parse_inbound(raw: bytes, *, municipality_code: str, today: date | None = None) -> Inbound:
    """A first notice, an amendment or a withdrawal; NoticeRejected with every problem if bad."""
    data = read_json(raw)
    if data.get("kind") == AENDRING:
        return validate_as(Amendment, data, municipality_code=municipality_code, today=today)
    if data.get("kind") == TILBAGEKALDELSE:
        return validate_as(Withdrawal, data, municipality_code=municipality_code, today=today)
    return validate_notice(data, municipality_code=municipality_code, today=today)
