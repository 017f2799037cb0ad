"""The parts of a notice: field types, the centre, documents, members and the envelope.

Each field checks itself and says what is wrong in Danish (never quoting the value); `notice.py`
puts them together into the notice and checks the rules across fields.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumValidationError

from koereplan.notice_json import ID_RE, SCHEMA_VERSION
from koereplan.notice_problems import fail
from koereplan.workdays import local_date

MAX_AGE_YEARS = 120
_DIGITS_RE = re.compile(r"[0-9]{1,10}")
LANGUAGE_RE = re.compile(r"[a-z]{2,3}")
_SHA256_RE = re.compile(r"[0-9a-fA-F]{64}")
# An address as mail servers and URL builders take it: a dot-atom of letters, digits and
# `_+-` before the @, host labels and a letter TLD after it; no `:`, `?`, `/`, quotes or spaces.
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
MAX_EMAIL_LOCAL = 64
# Dates a notice may carry: wide enough for every birth date and plan, narrow enough that no
# date arithmetic of the planner (offsets of a few years) can leave Python's calendar.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2099, 12, 31)
_CPR_RE = re.compile(r"[0-9]{6}-?[0-9]{4}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})"
)


def normalize_municipality_code(code: str) -> str:
    """Leading zeros do not matter (`0851` is `851`), so compare codes in one form."""
    return code.lstrip("0") or "0"


def _iso_date(value: Any) -> date | None:
    """Only `ÅÅÅÅ-MM-DD` strings are dates: no timestamps, no datetimes, no guessing."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value  # None, or a date object from Python code (a stored notice re-validated)
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise fail("skal være en dato (ÅÅÅÅ-MM-DD)")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise fail("er ikke en gyldig dato (ÅÅÅÅ-MM-DD)") from None
    _in_range(parsed)
    return parsed


def _in_range(day: date) -> None:
    """Refuse a date outside FIRST_DATE–LAST_DATE (year 9999 overflowed the planner)."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise fail(f"skal ligge mellem {FIRST_DATE.isoformat()} og {LAST_DATE.isoformat()}")


def _offset_datetime(value: Any) -> datetime:
    """An instant needs its offset; a bare local time would be ambiguous across DST."""
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
        raise fail("skal være et tidspunkt med tidszone (fx 2026-11-23T10:12:00+01:00)")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise fail("er ikke et gyldigt tidspunkt") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise fail("skal have en tidszone (fx +01:00 eller Z)")
    _in_range(parsed.date())
    return parsed


def none_as_empty_list(value: Any) -> Any:
    """An explicit `null` for an optional list means the same as leaving it out."""
    return [] if value is None else value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
OptionalIsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
OffsetDateTime = Annotated[datetime, BeforeValidator(_offset_datetime)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


def parse_context(info: ValidationInfo) -> dict[str, Any]:
    """The parse context (today, configured municipality); empty when built directly."""
    return info.context if isinstance(info.context, dict) else {}


def today_of(info: ValidationInfo) -> date:
    """`today` is injectable so that tests and replays are deterministic."""
    today = parse_context(info).get("today")
    return today if isinstance(today, date) else local_date()


def notice_date_of(info: ValidationInfo) -> date | None:
    """The notice date, once `issued_at` (declared before the dates) has validated."""
    issued_at = info.data.get("issued_at")
    return local_date(issued_at) if isinstance(issued_at, datetime) else None


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class Strict(BaseModel):
    """Strict types (no "true" or "1" coercion), unknown fields ignored, immutable."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class AsylumCentre(Strict):
    """Where the household lives now; the moving notice goes to its e-mail address."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=1, max_length=254)]

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise fail("må ikke være tom")
        return value.strip()

    @field_validator("email")
    @classmethod
    def _plausible_email(cls, value: str) -> str:
        address = value.strip()
        if not _EMAIL_RE.fullmatch(address) or len(address.split("@")[0]) > MAX_EMAIL_LOCAL:
            raise fail("er ikke en gyldig e-mailadresse")
        return address


class Document(Strict):
    """A personal document delivered beside the notice, identified by its checksum."""

    filename: Annotated[str, Field(min_length=1, max_length=255)]
    sha256: str

    @field_validator("filename")
    @classmethod
    def _plain_filename(cls, value: str) -> str:
        if value in (".", "..") or any(ch in value for ch in "/\\\x00"):
            raise fail("skal være et filnavn uden mappe (ingen / eller \\)")
        return value

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        if not _SHA256_RE.fullmatch(value):
            raise fail("skal være 64 hex-tegn (sha256)")
        return value.lower()


class Member(Strict):
    """One person in the notice; names, birth date and CPR are personal data."""

    person_id: str
    role: Literal["hovedperson", "aegtefaelle", "barn", "anden"]
    given_name: Name
    family_name: Name
    birth_date: IsoDate
    cpr: str | None = None
    formal_education: bool = False
    special_needs: bool = False
    self_supporting: bool = False

    @field_validator("person_id")
    @classmethod
    def _person_id_length(cls, value: str) -> str:
        if not 1 <= len(value) <= 64:
            raise fail("skal være 1–64 tegn")
        return value

    @field_validator("given_name", "family_name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise fail("må ikke være tom")
        return value.strip()

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: date, info: ValidationInfo) -> date:
        today = today_of(info)
        if value > today:
            raise fail("ligger i fremtiden")
        if value < years_before(today, MAX_AGE_YEARS):
            raise fail(f"ligger mere end {MAX_AGE_YEARS} år tilbage")
        return value

    @field_validator("cpr")
    @classmethod
    def _valid_cpr(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if not _CPR_RE.fullmatch(value):
            raise fail("er ikke et gyldigt cpr-nummer (10 cifre, evt. med bindestreg efter 6)")
        try:
            number = stdnum_cpr.validate(value)
            born = stdnum_cpr.get_birth_date(number)
        except StdnumValidationError:
            raise fail("er ikke et gyldigt cpr-nummer") from None
        birth_date = info.data.get("birth_date")
        if isinstance(birth_date, date) and born != birth_date:
            raise fail("passer ikke med fødselsdatoen")
        return number


class Envelope(Strict):
    """What every notice carries, whatever its kind: the sender's id, when, and for whom."""

    schema_version: int
    notice_id: str
    kind: str
    issued_at: OffsetDateTime
    municipality_code: str
    reference_notice_id: str | None = None

    @field_validator("schema_version")
    @classmethod
    def _known_schema(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise fail(f"skal være {SCHEMA_VERSION} (kun skemaversion {SCHEMA_VERSION} forstås)")
        return value

    @field_validator("notice_id", "reference_notice_id")
    @classmethod
    def _id_format(cls, value: str | None) -> str | None:
        if value is not None and not ID_RE.fullmatch(value):
            raise fail("skal være 1–64 tegn af A–Z, a–z, 0–9, punktum, bindestreg og _")
        return value

    @field_validator("municipality_code")
    @classmethod
    def _our_municipality(cls, value: str, info: ValidationInfo) -> str:
        if not _DIGITS_RE.fullmatch(value):
            raise fail("skal være en kommunekode af cifre (fx 851)")
        expected = parse_context(info).get("municipality_code")
        if expected is not None:
            want = normalize_municipality_code(str(expected))
            got = normalize_municipality_code(value)
            if want != got:
                raise fail(f"tilhører en anden kommune ({want} forventet, {got} modtaget)")
        return value
