"""Pure rules about people: identifier formats and check characters, name and postcode folding.

No I/O. Every parser takes what a person typed (or a legacy system exported) and returns an
``Identifier``: the canonical form when the value is well formed and its check character agrees,
otherwise the raw text kept as it was, flagged invalid, with a reason a person can act on. Legacy
records are never rejected for a failed check (domain brief): the service decides whether to
refuse a value (new entry) or keep it flagged (import).

Check characters use the 23-letter alphabet ``ZABCDEFGHJKLMNPQRTUVWXY`` (no I, O or S), indexed
by a number mod 23. Because 23 is prime and does not divide any power of ten, changing any one
digit that takes part in the check always changes the check letter.
"""

from __future__ import annotations

import enum
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date

CHECK_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"


class IdentifierType(enum.StrEnum):
    """Identifier types, as named in the API contract (`identifiers: [{"type", "value"}]`)."""

    PNC = "PNC"  # Police National Computer ID, e.g. 2002/0073319Z
    CRO = "CRO"  # Criminal Records Office number, e.g. 065656/91H or legacy SF05/482703J
    PRISON_NUMBER = "PRISON_NUMBER"  # NOMS number issued by prisons, e.g. A1234BC
    CRN = "CRN"  # case reference number issued by probation, e.g. X123456
    ASN = "ASN"  # arrest/summons number, e.g. 2101ZD0100000448754Z
    NINO = "NINO"  # National Insurance number, e.g. QQ123456C
    URN = "URN"  # a case's unique reference number: a case identifier, never a person's


# The identifiers a person record may carry; URN belongs to prosecution cases.
PERSON_IDENTIFIER_TYPES: tuple[IdentifierType, ...] = (
    IdentifierType.PNC,
    IdentifierType.CRO,
    IdentifierType.PRISON_NUMBER,
    IdentifierType.CRN,
    IdentifierType.ASN,
    IdentifierType.NINO,
)


@dataclass(frozen=True)
class Identifier:
    """One parsed identifier.

    ``canonical`` is the stored and compared form when ``valid``; for an invalid value it is the
    raw text tidied (trimmed, upper-case, inner spaces removed) so that it can still be shown and
    stored, but it must never be used for matching. ``reason`` says why a value is invalid.
    """

    type: IdentifierType
    canonical: str
    raw: str
    valid: bool
    reason: str | None = None


def check_letter(number: int) -> str:
    return CHECK_ALPHABET[number % 23]


def _tidy(raw: str) -> str:
    return re.sub(r"\s+", "", raw).upper()


def _invalid(kind: IdentifierType, raw: str, reason: str) -> Identifier:
    return Identifier(kind, _tidy(raw), raw, False, reason)


def _valid(kind: IdentifierType, canonical: str, raw: str) -> Identifier:
    return Identifier(kind, canonical, raw, True, None)


# --- PNC ID -------------------------------------------------------------------------------------

_PNC_EXAMPLE = "Enter a PNC ID in the form 2002/0073319Z or 02/73319Z (year, serial number, check letter)"
# Without a slash, fewer than 10 characters is the short form (2-digit year), as in HMPPS services.
_LONG_PNC_MIN_LENGTH = 10
_PNC_CHECK_MISMATCH = "The check letter of this PNC ID does not match its number; check it was copied exactly."


def pnc_century_year(two_digits: int, today: date | None = None) -> int:
    """A 2-digit PNC year: up to this year's two digits is 20YY, otherwise 19YY."""
    current = (today or date.today()).year
    return 2000 + two_digits if two_digits <= current % 100 else 1900 + two_digits


def pnc_check_letter(year: int, serial: int) -> str:
    """The check letter of PNC ID year/serial: over the 2-digit year and the 7-digit serial."""
    return check_letter(int(f"{year % 100:02d}{serial:07d}"))


def make_pnc(year: int, serial: int) -> str:
    """The canonical PNC ID YYYY/NNNNNNNC for a 4-digit year and a serial of up to 7 digits."""
    if not 0 <= serial <= 9_999_999:
        raise ValueError(f"PNC serial must have at most 7 digits, not {serial}")
    return f"{year:04d}/{serial:07d}{pnc_check_letter(year, serial)}"


def _split_unslashed_pnc(digits: str, given_check: str, today: date | None) -> tuple[str, str]:
    """(year, serial) of a PNC ID typed without its slash.

    As in HMPPS services, fewer than 10 characters is the short form (2-digit year). At exactly 10
    a 2-digit year with a zero-padded 7-digit serial (020073319Z) is as likely as a 4-digit year
    with a 5-digit serial (200273319Z): the reading with a possible year and a matching check wins.
    """
    if len(digits) + 1 < _LONG_PNC_MIN_LENGTH:
        return digits[:2], digits[2:]
    long_reading = digits[:4], digits[4:]
    if len(digits) == _LONG_PNC_MIN_LENGTH - 1:
        current_year = (today or date.today()).year
        long_year_possible = 1900 <= int(digits[:4]) <= current_year
        long_matches = long_year_possible and pnc_check_letter(int(digits[:4]), int(digits[4:])) == given_check
        short_matches = pnc_check_letter(int(digits[:2]), int(digits[2:])) == given_check
        if short_matches and not long_matches:
            return digits[:2], digits[2:]
    return long_reading


def parse_pnc(raw: str, today: date | None = None) -> Identifier:
    kind = IdentifierType.PNC
    text = _tidy(raw)
    if "/" in text:
        match = re.fullmatch(r"(\d{2}|\d{4})/(\d{1,7})([A-Z])", text)
        if not match:
            return _invalid(kind, raw, _PNC_EXAMPLE + ".")
        year_text, serial_text, given_check = match.groups()
    else:
        match = re.fullmatch(r"(\d{3,11})([A-Z])", text)
        if not match:
            return _invalid(kind, raw, _PNC_EXAMPLE + ".")
        digits, given_check = match.groups()
        year_text, serial_text = _split_unslashed_pnc(digits, given_check, today)
        if not 1 <= len(serial_text) <= 7:
            return _invalid(kind, raw, _PNC_EXAMPLE + ".")
    current_year = (today or date.today()).year
    if len(year_text) == 2:
        year = pnc_century_year(int(year_text), today)
    else:
        year = int(year_text)
        if not 1900 <= year <= current_year:
            return _invalid(kind, raw, f"The year of a PNC ID must be between 1900 and {current_year}.")
    serial = int(serial_text)
    if pnc_check_letter(year, serial) != given_check:
        return _invalid(kind, raw, _PNC_CHECK_MISMATCH)
    return _valid(kind, make_pnc(year, serial), raw)


def pnc_short_form(canonical: str) -> str:
    """02/73319Z for 2002/0073319Z: the short form people also type and search by."""
    year, rest = canonical.split("/")
    return f"{year[2:]}/{int(rest[:-1])}{rest[-1]}"


# --- CRO number ---------------------------------------------------------------------------------

_CRO_CHECK_MISMATCH = "The check letter of this CRO number does not match its number; check it was copied exactly."
_CRO_EXAMPLE = "Enter a CRO number in the form 065656/91H, or a legacy one in the form SF05/482703J"


def cro_check_letter(year: int, serial: int) -> str:
    """Check letter of a standard CRO number: over the 2-digit year and the serial padded to 6 digits."""
    return check_letter(int(f"{year % 100:02d}{serial:06d}"))


def make_cro(serial: int, year: int) -> str:
    """The canonical standard CRO number NNNNNN/YYC (serial zero-padded to 6 digits)."""
    if not 0 <= serial <= 999_999:
        raise ValueError(f"CRO serial must have at most 6 digits, not {serial}")
    return f"{serial:06d}/{year % 100:02d}{cro_check_letter(year, serial)}"


def make_sf_cro(year: int, serial: int) -> str:
    """A legacy SF-form CRO number with a 6-digit serial, the length on which every source agrees."""
    if not 100_000 <= serial <= 999_999:
        raise ValueError(f"SF CRO serials are generated with exactly 6 digits, not {serial}")
    return f"SF{year % 100:02d}/{serial}{check_letter(int(f'{year % 100:02d}{serial}'))}"


def parse_cro(raw: str) -> Identifier:
    """Standard NNNNNN/YYC or legacy SFYY/NNNNNNC.

    MoJ sources disagree on the legacy SF form when the serial has fewer than 6 digits: some
    compute the check over the serial as written, others over it zero-padded to 6. With 6 digits
    both agree (``SF05/482703J``). For shorter serials we accept the value if either reading
    matches, and store it padded when the padded reading matches (so 1234 and 001234 are one
    number) and as written otherwise (where leading zeros would change the number).
    """
    kind = IdentifierType.CRO
    text = _tidy(raw)
    if match := re.fullmatch(r"SF(\d{2})/(\d{1,6})([A-Z])", text):
        year_text, serial_text, given_check = match.groups()
        padded = check_letter(int(year_text + serial_text.zfill(6)))
        as_written = check_letter(int(year_text + serial_text))
        if given_check == padded:
            return _valid(kind, f"SF{year_text}/{serial_text.zfill(6)}{given_check}", raw)
        if given_check == as_written:
            return _valid(kind, f"SF{year_text}/{serial_text}{given_check}", raw)
        return _invalid(kind, raw, _CRO_CHECK_MISMATCH)
    if match := re.fullmatch(r"(\d{1,6})/(\d{2})([A-Z])", text):
        serial_text, year_text, given_check = match.groups()
        serial, year = int(serial_text), int(year_text)
        if cro_check_letter(year, serial) != given_check:
            return _invalid(kind, raw, _CRO_CHECK_MISMATCH)
        return _valid(kind, make_cro(serial, year), raw)
    return _invalid(kind, raw, _CRO_EXAMPLE + ".")


# --- prison number, CRN (no check character) ----------------------------------------------------


def parse_prison_number(raw: str) -> Identifier:
    kind = IdentifierType.PRISON_NUMBER
    text = _tidy(raw)
    if re.fullmatch(r"[A-Z]\d{4}[A-Z]{2}", text):
        return _valid(kind, text, raw)
    return _invalid(kind, raw, "Enter a prison number in the form A1234BC (a letter, 4 digits, 2 letters).")


def parse_crn(raw: str) -> Identifier:
    kind = IdentifierType.CRN
    text = _tidy(raw)
    if re.fullmatch(r"[A-Z]\d{6}", text):
        return _valid(kind, text, raw)
    return _invalid(kind, raw, "Enter a CRN in the form X123456 (a letter and 6 digits).")


# --- case URN -----------------------------------------------------------------------------------


def parse_urn(raw: str) -> Identifier:
    """FFSSNNNNNYY: force code, station letters, serial, year; spaces and punctuation ignored."""
    kind = IdentifierType.URN
    text = re.sub(r"[^0-9A-Za-z]", "", raw).upper()
    if re.fullmatch(r"\d{2}[A-Z]{2}\d{5}\d{2}", text):
        return _valid(kind, text, raw)
    return _invalid(kind, raw, "Enter a URN in the form 01/AB/12345/24 (force, station, serial number, year).")


def urn_display(canonical: str) -> str:
    """01/AB/12345/24 for 01AB1234524."""
    return f"{canonical[:2]}/{canonical[2:4]}/{canonical[4:9]}/{canonical[9:11]}"


# --- ASN ----------------------------------------------------------------------------------------

_ASN_PATTERN = re.compile(r"[0-9]{2}[A-Z0-9]{6,7}[0-9]{11}[A-HJ-NP-RT-Z]")
_ASN_EXAMPLE = "Enter an arrest/summons number in the form 2101ZD0100000448754Z or 21/01ZD/01/448754Z"


def asn_check_character(year: str, force: str, system: str, sequence: int) -> str:
    """Check over force + system + year + 11-digit sequence (force or system only when numeric)."""

    def digits_only(part: str) -> str:
        return part if part.isdigit() else ""

    return check_letter(int(f"{digits_only(force)}{digits_only(system)}{year}{sequence:011d}"))


def make_asn(year: int, force: str, unit: str, system: str, sequence: int) -> str:
    """The long form YY FF UU SS NNNNNNNNNNN C, e.g. 21 01 ZD 01 00000448754 K."""
    if not 0 <= sequence <= 99_999_999_999:
        raise ValueError(f"ASN sequence must have at most 11 digits, not {sequence}")
    year_text = f"{year % 100:02d}"
    return f"{year_text}{force}{unit}{system}{sequence:011d}{asn_check_character(year_text, force, system, sequence)}"


def parse_asn(raw: str) -> Identifier:
    """Long form, or the short form with slashes (21/01ZD/01/448754Z) whose sequence is padded to 11."""
    kind = IdentifierType.ASN
    text = _tidy(raw)
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 4 or not re.fullmatch(r"\d{1,11}[A-Z]", parts[3]):
            return _invalid(kind, raw, _ASN_EXAMPLE + ".")
        text = f"{parts[0]}{parts[1]}{parts[2]}{parts[3][:-1].zfill(11)}{parts[3][-1]}"
    if not _ASN_PATTERN.fullmatch(text):
        return _invalid(kind, raw, _ASN_EXAMPLE + ".")
    year, force, system = text[0:2], text[2:4], text[6:8]
    sequence = int(text[-12:-1])
    if asn_check_character(year, force, system, sequence) != text[-1]:
        return _invalid(
            kind, raw, "The check letter of this arrest/summons number does not match; check it was copied exactly."
        )
    return _valid(kind, text, raw)


# --- National Insurance number ------------------------------------------------------------------

# HMRC: D, F, I, Q, U and V are used as neither prefix letter; O is not used as the second.
_NINO_PATTERN = re.compile(r"([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])")
# Prefixes never allocated (administrative or temporary use).
NINO_UNALLOCATED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
NINO_VALID_PREFIXES: tuple[str, ...] = tuple(
    sorted(
        a + b
        for a in string.ascii_uppercase
        for b in string.ascii_uppercase
        if a + b not in NINO_UNALLOCATED_PREFIXES and _NINO_PATTERN.fullmatch(f"{a}{b}000000A")
    )
)


def parse_nino(raw: str) -> Identifier:
    kind = IdentifierType.NINO
    text = _tidy(raw)
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", text):
        return _invalid(
            kind, raw, "Enter a National Insurance number in the form QQ 12 34 56 C (2 letters, 6 digits, A to D)."
        )
    prefix = text[:2]
    if not _NINO_PATTERN.fullmatch(text) or prefix in NINO_UNALLOCATED_PREFIXES:
        return _invalid(kind, raw, f"{prefix} is not a prefix HMRC allocates to National Insurance numbers.")
    return _valid(kind, text, raw)


def nino_display(canonical: str) -> str:
    """QQ 12 34 56 C, the way HMRC prints it."""
    return f"{canonical[:2]} {canonical[2:4]} {canonical[4:6]} {canonical[6:8]} {canonical[8]}"


# --- dispatch -----------------------------------------------------------------------------------


def parse(kind: IdentifierType | str, raw: str, today: date | None = None) -> Identifier:
    """Parse RAW as an identifier of KIND (an IdentifierType or its name)."""
    kind = IdentifierType(kind)
    if kind is IdentifierType.PNC:
        return parse_pnc(raw, today)
    if kind is IdentifierType.CRO:
        return parse_cro(raw)
    if kind is IdentifierType.PRISON_NUMBER:
        return parse_prison_number(raw)
    if kind is IdentifierType.CRN:
        return parse_crn(raw)
    if kind is IdentifierType.ASN:
        return parse_asn(raw)
    if kind is IdentifierType.NINO:
        return parse_nino(raw)
    if kind is IdentifierType.URN:
        return parse_urn(raw)
    raise ValueError(f"unhandled identifier type {kind}")  # pragma: no cover - every member is dispatched


def is_valid(kind: IdentifierType | str, raw: str, today: date | None = None) -> bool:
    return parse(kind, raw, today).valid


def recognise(raw: str, today: date | None = None) -> list[Identifier]:
    """Every person identifier type RAW is a valid value of (for a search box taking any identifier)."""
    return [ident for kind in PERSON_IDENTIFIER_TYPES if (ident := parse(kind, raw, today)).valid]


# --- names --------------------------------------------------------------------------------------

# Letters that Unicode decomposition does not reduce to ASCII but English-speaking staff type plainly.
_LETTER_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
    }
)
# Apostrophes and full stops join (O'Brien -> obrien, St. John -> st john); other punctuation separates.
_JOINING_PUNCTUATION = re.compile(r"['’‘`´.]")
_SEPARATORS = re.compile(r"[\W_]+")


def fold_name(text: str) -> str:
    """Lower case, accents removed, apostrophes dropped, hyphens and other punctuation as spaces.

    ``fold_name("Siobhán O'Brien-Ní Dhuibhir") == "siobhan obrien ni dhuibhir"``. Letters of other
    scripts are kept (folded case only), so a name written in Chinese characters still matches itself.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTER_FOLDS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = _JOINING_PUNCTUATION.sub("", plain)
    return " ".join(_SEPARATORS.sub(" ", plain).split())


def name_parts(text: str) -> list[str]:
    """The separate parts of a name: "Smith-Jones" -> ["smith", "jones"]."""
    return fold_name(text).split()


def name_variants(text: str) -> set[str]:
    """Forms a double-barrelled or hyphenated name may be recorded under.

    "Smith-Jones" -> {"smith jones", "smithjones", "smith", "jones"}: written with a space, run
    together, or either part alone.
    """
    parts = name_parts(text)
    if not parts:
        return set()
    variants = {" ".join(parts), "".join(parts)}
    if len(parts) > 1:
        variants.update(parts)
    return variants


# --- postcodes ----------------------------------------------------------------------------------

_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})")


def normalise_postcode(raw: str) -> str | None:
    """'sw1a1aa' -> 'SW1A 1AA'; None when RAW is not shaped like a UK postcode."""
    text = re.sub(r"\s+", "", raw).upper()
    match = _POSTCODE.fullmatch(text)
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcode_area(postcode: str) -> str:
    """The letters at the start: 'CF10 1AA' -> 'CF'."""
    match = re.match(r"[A-Z]{1,2}", postcode.upper())
    return match.group(0) if match else ""
