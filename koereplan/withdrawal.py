"""The withdrawal notice (`kind: "tilbagekaldelse"`): Udlændingestyrelsen withdraws a placement."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from koereplan.notice_fields import Envelope

TILBAGEKALDELSE = "tilbagekaldelse"
MAX_REASON = 500


class Withdrawal(Envelope):
    """Names the case by the notice that opened it; its reason is stored, never sent."""

    kind: Literal["tilbagekaldelse"]
    reference_notice_id: str
    reason: Annotated[str | None, Field(max_length=MAX_REASON)] = None
