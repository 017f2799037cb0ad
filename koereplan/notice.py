"""The notice from Udlændingestyrelsen: parsed, checked, and every problem told in plain Danish.

`parse_notice` is the one door in. It never echoes personal data (names, CPR, birth dates)
in a problem, and it turns every bad input (size, encoding, JSON, types, rules) into a
`NoticeRejected` listing all problems found, never a traceback or pydantic's English.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumValidationError

from koereplan.arrival import MAX_ARRIVAL_YEARS, latest_arrival
from koereplan.household import Household, Person, age_on
from koereplan.problems import Problem, ProblemsError
from koereplan.takeover import (
    DEFAULT_LEGAL_BASIS,
    Takeover,
    by_registration,
    consent_problem,
    resolve_takeover,
)
from koereplan.workdays import local_date

MAX_NOTICE_BYTES = 1024 * 1024
SCHEMA_VERSION = 1
MAX_MEMBERS = 20
MAX_AGE_YEARS = 120
MAX_DEPTH = 32
MAX_PROBLEMS = 50

KINDS = ("opholdstilladelse", "familiesammenfoering")
ROLES = ("hovedperson", "aegtefaelle", "barn", "anden")

_ERROR_TYPE = "koereplan"
_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_DIGITS_RE = re.compile(r"[0-9]{1,10}")
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}")
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


class NoticeRejected(ProblemsError):
    """A notice that cannot be taken in: the file goes to quarantine with these problems."""


def _fail(message: str) -> PydanticCustomError:
    """A validation error that already speaks Danish (and never carries the value)."""
    return PydanticCustomError(_ERROR_TYPE, message)


def normalize_municipality_code(code: str) -> str:
    """Leading zeros do not matter (`0851` is `851`), so compare codes in one form."""
    return code.lstrip("0") or "0"


def _iso_date(value: Any) -> date | None:
    """Only `ÅÅÅÅ-MM-DD` strings are dates: no timestamps, no datetimes, no guessing."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value  # None, or a date object from Python code (a stored notice re-validated)
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise _fail("skal være en dato (ÅÅÅÅ-MM-DD)")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise _fail("er ikke en gyldig dato (ÅÅÅÅ-MM-DD)") from None
    _in_range(parsed)
    return parsed


def _in_range(day: date) -> None:
    """Refuse a date outside FIRST_DATE–LAST_DATE (year 9999 overflowed the planner)."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise _fail(f"skal ligge mellem {FIRST_DATE.isoformat()} og {LAST_DATE.isoformat()}")


def _offset_datetime(value: Any) -> datetime:
    """An instant needs its offset; a bare local time would be ambiguous across DST."""
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
        raise _fail("skal være et tidspunkt med tidszone (fx 2026-11-23T10:12:00+01:00)")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _fail("er ikke et gyldigt tidspunkt") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _fail("skal have en tidszone (fx +01:00 eller Z)")
    _in_range(parsed.date())
    return parsed


def _none_as_empty_list(value: Any) -> Any:
    """An explicit `null` for an optional list means the same as leaving it out."""
    return [] if value is None else value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
OptionalIsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
OffsetDateTime = Annotated[datetime, BeforeValidator(_offset_datetime)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


def _context(info: ValidationInfo) -> dict[str, Any]:
    """The parse context (today, configured municipality); empty when built directly."""
    return info.context if isinstance(info.context, dict) else {}


def _today(info: ValidationInfo) -> date:
    """`today` is injectable so that tests and replays are deterministic."""
    today = _context(info).get("today")
    return today if isinstance(today, date) else local_date()


def _notice_date(info: ValidationInfo) -> date | None:
    """The notice date, once `issued_at` (declared before the dates) has validated."""
    issued_at = info.data.get("issued_at")
    return local_date(issued_at) if isinstance(issued_at, datetime) else None


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class _Strict(BaseModel):
    """Strict types (no "true" or "1" coercion), unknown fields ignored, immutable."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class AsylumCentre(_Strict):
    """Where the household lives now; the moving notice goes to its e-mail address."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=1, max_length=254)]

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise _fail("må ikke være tom")
        return value.strip()

    @field_validator("email")
    @classmethod
    def _plausible_email(cls, value: str) -> str:
        address = value.strip()
        if not _EMAIL_RE.fullmatch(address) or len(address.split("@")[0]) > MAX_EMAIL_LOCAL:
            raise _fail("er ikke en gyldig e-mailadresse")
        return address


class Document(_Strict):
    """A personal document delivered beside the notice, identified by its checksum."""

    filename: Annotated[str, Field(min_length=1, max_length=255)]
    sha256: str

    @field_validator("filename")
    @classmethod
    def _plain_filename(cls, value: str) -> str:
        if value in (".", "..") or any(ch in value for ch in "/\\\x00"):
            raise _fail("skal være et filnavn uden mappe (ingen / eller \\)")
        return value

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        if not _SHA256_RE.fullmatch(value):
            raise _fail("skal være 64 hex-tegn (sha256)")
        return value.lower()


class Member(_Strict):
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
            raise _fail("skal være 1–64 tegn")
        return value

    @field_validator("given_name", "family_name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise _fail("må ikke være tom")
        return value.strip()

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: date, info: ValidationInfo) -> date:
        today = _today(info)
        if value > today:
            raise _fail("ligger i fremtiden")
        if value < _years_before(today, MAX_AGE_YEARS):
            raise _fail(f"ligger mere end {MAX_AGE_YEARS} år tilbage")
        return value

    @field_validator("cpr")
    @classmethod
    def _valid_cpr(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if not _CPR_RE.fullmatch(value):
            raise _fail("er ikke et gyldigt cpr-nummer (10 cifre, evt. med bindestreg efter 6)")
        try:
            number = stdnum_cpr.validate(value)
            born = stdnum_cpr.get_birth_date(number)
        except StdnumValidationError:
            raise _fail("er ikke et gyldigt cpr-nummer") from None
        birth_date = info.data.get("birth_date")
        if isinstance(birth_date, date) and born != birth_date:
            raise _fail("passer ikke med fødselsdatoen")
        return number


class Envelope(_Strict):
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
            raise _fail(f"skal være {SCHEMA_VERSION} (kun skemaversion {SCHEMA_VERSION} forstås)")
        return value

    @field_validator("notice_id", "reference_notice_id")
    @classmethod
    def _id_format(cls, value: str | None) -> str | None:
        if value is not None and not _ID_RE.fullmatch(value):
            raise _fail("skal være 1–64 tegn af A–Z, a–z, 0–9, punktum, bindestreg og _")
        return value

    @field_validator("municipality_code")
    @classmethod
    def _our_municipality(cls, value: str, info: ValidationInfo) -> str:
        if not _DIGITS_RE.fullmatch(value):
            raise _fail("skal være en kommunekode af cifre (fx 851)")
        expected = _context(info).get("municipality_code")
        if expected is not None:
            want = normalize_municipality_code(str(expected))
            got = normalize_municipality_code(value)
            if want != got:
                raise _fail(f"tilhører en anden kommune ({want} forventet, {got} modtaget)")
        return value


M = TypeVar("M", bound=Envelope)


class Notice(Envelope):
    """One notice as the contract (spec/notice-format.md) defines it, checked field by field."""

    kind: Literal["opholdstilladelse", "familiesammenfoering"]
    expected_arrival: OptionalIsoDate = None
    decision_date: OptionalIsoDate = None
    legal_basis: Literal["asyl", "kvote"] | None = None
    takeover_date: OptionalIsoDate = None
    asylum_centre: AsylumCentre | None = None
    interpreter_language: str | None = None
    members: Annotated[list[Member], Field(min_length=1, max_length=MAX_MEMBERS)]
    documents: Annotated[list[Document], BeforeValidator(_none_as_empty_list)] = Field(
        default_factory=list
    )

    @field_validator("expected_arrival")
    @classmethod
    def _not_before_notice(cls, value: date | None, info: ValidationInfo) -> date | None:
        notice_date = _notice_date(info)
        if value is not None and notice_date is not None:
            if value < notice_date:
                raise _fail(f"ligger før meddelelsens dato ({notice_date.isoformat()})")
            if value > latest_arrival(notice_date):
                raise _fail(
                    f"ligger mere end {MAX_ARRIVAL_YEARS} år efter meddelelsens dato "
                    f"({notice_date.isoformat()})"
                )
        return value

    @field_validator("decision_date")
    @classmethod
    def _decision_near_notice(cls, value: date | None, info: ValidationInfo) -> date | None:
        notice_date = _notice_date(info)
        if value is not None and notice_date is not None:
            if value > notice_date:
                raise _fail(f"ligger efter meddelelsens dato ({notice_date.isoformat()})")
            if value < _years_before(notice_date, 1):
                raise _fail(
                    f"ligger mere end et år før meddelelsens dato ({notice_date.isoformat()})"
                )
        return value

    @field_validator("legal_basis")
    @classmethod
    def _basis_only_for_permits(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("kind") == "familiesammenfoering":
            raise _fail("må ikke angives ved familiesammenføring (kun ved opholdstilladelse)")
        return value

    @field_validator("takeover_date")
    @classmethod
    def _takeover_in_bounds(cls, value: date | None, info: ValidationInfo) -> date | None:
        notice_date = _notice_date(info)
        known = {"kind", "decision_date", "legal_basis"} <= info.data.keys()
        if value is None or not known or notice_date is None:
            return value  # a field it depends on is itself wrong and reported there
        decision = info.data["decision_date"] or notice_date
        if by_registration(info.data["kind"], info.data["legal_basis"]):
            if value < decision:
                raise _fail(f"ligger før afgørelsesdatoen ({decision.isoformat()})")
            return value
        problem = consent_problem(value, decision)
        if problem:
            raise _fail(problem)
        return value

    @field_validator("interpreter_language")
    @classmethod
    def _iso_639(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE_RE.fullmatch(value):
            raise _fail("skal være en ISO 639-sprogkode med 2–3 små bogstaver (fx ar, ti, prs)")
        return value

    @property
    def notice_date(self) -> date:
        """The `notice` anchor: the Copenhagen calendar day on which the notice was issued."""
        return local_date(self.issued_at)

    @property
    def normalized_municipality(self) -> str:
        """The municipality code without leading zeros, the form configuration compares."""
        return normalize_municipality_code(self.municipality_code)

    @property
    def is_reunification(self) -> bool:
        """Family reunification joins a case that already exists."""
        return self.kind == "familiesammenfoering"

    @property
    def decision(self) -> date:
        """The `decision` anchor: `decision_date`, else the notice date."""
        return self.decision_date or self.notice_date

    @property
    def basis(self) -> str:
        """The legal basis of an `opholdstilladelse` (`asyl` unless the notice says `kvote`)."""
        return self.legal_basis or DEFAULT_LEGAL_BASIS

    @property
    def takeover(self) -> Takeover:
        """The `takeover` anchor by the household's legal basis (køreplan spec, *Takeover*)."""
        return resolve_takeover(
            kind=self.kind,
            legal_basis=self.legal_basis,
            decision=self.decision,
            given=self.takeover_date,
        )

    def household(self, arrival: date) -> Household:
        """The facts the rules look at, ages on the arrival date, and no names or CPR."""
        return Household(
            kind=self.kind,
            has_asylum_centre=self.asylum_centre is not None,
            awaits_registration=self.takeover.date is None,
            people=tuple(
                Person(
                    person_id=m.person_id,
                    role=m.role,
                    age=age_on(m.birth_date, arrival),
                    has_cpr=m.cpr is not None,
                    formal_education=m.formal_education,
                    special_needs=m.special_needs,
                    self_supporting=m.self_supporting,
                )
                for m in self.members
            ),
        )


# --- parsing: bytes → JSON → model, every failure a Problem -------------------------------


class _BadJson(Exception):
    """Raised from inside the JSON decoder's hooks; carries a Danish message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _parse_int(text: str) -> int:
    """Python refuses ints over ~4300 digits with a ValueError; make that a clean rejection."""
    try:
        return int(text)
    except ValueError:
        raise _BadJson("indeholder et tal, der er for stort") from None


def _parse_float(text: str) -> float:
    """1e999 would silently become infinity; no field can use that, so reject it."""
    value = float(text)
    if not math.isfinite(value):
        raise _BadJson("indeholder et tal, der er for stort")
    return value


def _parse_constant(text: str) -> Any:
    """NaN and Infinity are not JSON, though Python's decoder accepts them by default."""
    raise _BadJson("er ikke gyldig JSON (NaN og Infinity er ikke tilladt)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice is ambiguous (which value wins?), so the sender must fix it."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            shown = f'"{key}"' if _ID_RE.fullmatch(key) else "et felt"
            raise _BadJson(f"har {shown} to gange i samme objekt")
        result[key] = value
    return result


def _path(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """`("members", 1, "birth_date")` → `members[1].birth_date` (0-based indexes)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _check_shape(data: Any) -> list[Problem]:
    """Walk the decoded JSON without recursion: depth bound, and text a database can store."""
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if len(loc) > MAX_DEPTH:
            return [Problem(_path(loc[:MAX_DEPTH]), f"er indlejret mere end {MAX_DEPTH} niveauer")]
        if isinstance(value, dict):
            for key, item in value.items():
                if _bad_text(key):
                    problems.append(Problem(_path(loc), "har et feltnavn med ugyldige tegn"))
                else:
                    stack.append((item, (*loc, key)))
        elif isinstance(value, list):
            stack.extend((item, (*loc, i)) for i, item in enumerate(value))
        elif isinstance(value, str) and _bad_text(value):
            problems.append(Problem(_path(loc), "indeholder ugyldige tegn (NUL eller surrogat)"))
    return problems


def _bad_text(text: str) -> bool:
    """NUL and lone surrogates (from `\\u0000`, `\\ud800` escapes) cannot be stored as text."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


_MESSAGES = {
    "missing": "mangler",
    "string_type": "skal være en tekst",
    "int_type": "skal være et heltal",
    "bool_type": "skal være true eller false",
    "list_type": "skal være en liste",
    "model_type": "skal være et objekt",
    "model_attributes_type": "skal være et objekt",
    "dict_type": "skal være et objekt",
    "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "datetime_type": "skal være et tidspunkt med tidszone",
}


def _danish(error: Any) -> str:
    """Pydantic's error in plain Danish; its own text (English, with the value) is never used."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == _ERROR_TYPE:
        return str(error["msg"])
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " eller ")
        return f"skal være en af {expected}" if expected else "har en ukendt værdi"
    if kind == "string_too_short":
        return "må ikke være tom" if ctx.get("min_length") == 1 else "er for kort"
    if kind == "string_too_long":
        return f"må højst være {ctx.get('max_length')} tegn"
    if kind == "too_short":
        unit = "person" if error["loc"] == ("members",) else "element"
        return f"skal have mindst {ctx.get('min_length')} {unit}"
    if kind == "too_long":
        unit = "personer" if error["loc"] == ("members",) else "elementer"
        return f"må højst have {ctx.get('max_length')} {unit}"
    return "har en ugyldig værdi"


def _cross_checks(data: dict[str, Any]) -> list[Problem]:
    """Rules across items, checked on the raw data so they report even when other fields fail."""
    problems: list[Problem] = []
    if data.get("kind") == "familiesammenfoering" and data.get("reference_notice_id") is None:
        problems.append(
            Problem("reference_notice_id", "mangler (påkrævet ved familiesammenføring)")
        )
    reference = data.get("reference_notice_id")
    if isinstance(reference, str) and reference == data.get("notice_id"):
        problems.append(Problem("reference_notice_id", "kan ikke henvise til meddelelsen selv"))
    members = data.get("members")
    if isinstance(members, list):
        first_seen: dict[str, int] = {}
        for index, member in enumerate(members):
            person_id = member.get("person_id") if isinstance(member, dict) else None
            if not isinstance(person_id, str):
                continue
            if person_id in first_seen:
                problems.append(
                    Problem(
                        f"members[{index}].person_id",
                        f"bruges af to personer (også members[{first_seen[person_id]}])",
                    )
                )
            else:
                first_seen[person_id] = index
    return problems


def _reject(problems: list[Problem]) -> NoticeRejected:
    """Cap the list so a pathological file cannot flood the error file and the notification."""
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], Problem("", f"… og {rest} fejl mere")]
    return NoticeRejected(problems)


def _decode(raw: bytes) -> Any:
    """Bytes to JSON value, or NoticeRejected: size first, then UTF-8, then JSON."""
    if len(raw) > MAX_NOTICE_BYTES:
        raise _reject(
            [Problem("", f"filen er for stor: højst {MAX_NOTICE_BYTES} byte (1 MiB) er tilladt")]
        )
    try:
        # A UTF-8 byte-order mark is harmless and some Windows tools write one: accept it.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _reject(
            [Problem("", f"er ikke gyldig UTF-8 (ugyldig byte ved position {exc.start})")]
        ) from None
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
            object_pairs_hook=_unique_keys,
        )
    except _BadJson as exc:
        raise _reject([Problem("", exc.message)]) from None
    except RecursionError:
        raise _reject([Problem("", "er for dybt indlejret JSON")]) from None
    except json.JSONDecodeError as exc:
        raise _reject(
            [Problem("", f"er ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno})")]
        ) from None
    except ValueError:
        raise _reject([Problem("", "er ikke gyldig JSON")]) from None


def read_json(raw: bytes) -> dict[str, Any]:
    """The notice file as one JSON object of a known schema, or NoticeRejected (any kind)."""
    data = _decode(raw)
    if not isinstance(data, dict):
        raise _reject([Problem("", "skal være ét JSON-objekt ({ … }), ikke en liste eller værdi")])
    version = data.get("schema_version")
    if type(version) is int and version != SCHEMA_VERSION:
        # Another version may mean other fields: listing those would only confuse.
        raise _reject(
            [
                Problem(
                    "schema_version",
                    f"skal være {SCHEMA_VERSION} (kun skemaversion {SCHEMA_VERSION} forstås)",
                )
            ]
        )
    shape_problems = _check_shape(data)
    if shape_problems:
        raise _reject(shape_problems)
    return data


def validate_notice(
    data: dict[str, Any], *, municipality_code: str, today: date | None = None
) -> Notice:
    """A first notice (or an amended one, merged) checked by every rule of the format."""
    return validate_as(Notice, data, municipality_code=municipality_code, today=today)


def validate_as(
    model: type[M], data: dict[str, Any], *, municipality_code: str, today: date | None = None
) -> M:
    """Validate decoded JSON as one kind of notice; every problem in Danish, or the model."""
    context = {"municipality_code": municipality_code, "today": today or local_date()}
    problems: list[Problem] = []
    result: M | None = None
    try:
        result = model.model_validate(data, context=context)
    except ValidationError as exc:
        problems.extend(
            Problem(_path(error["loc"]), _danish(error))
            for error in exc.errors(include_url=False, include_input=False)
        )
    problems.extend(_cross_checks(data))
    if problems or result is None:
        raise _reject(problems)
    return result


def parse_notice(raw: bytes, *, municipality_code: str, today: date | None = None) -> Notice:
    """Read one notice file; raise NoticeRejected with every problem, in Danish, if it is bad."""
    return validate_notice(read_json(raw), municipality_code=municipality_code, today=today)
