"""Deterministic synthetic people, as rows ready for COPY into the person index tables.

One ``random.Random(seed)`` stream is consumed person by person, so the same seed gives the same
people whatever the batch size. Identifiers are unique by construction, not by checking: each
type has a counter that a fixed permutation (k -> (k * A + B) mod M, A a prime coprime to M)
spreads over that type's number space, so no two people share one and the numbers do not look
sequential. Every identifier is built with its real check character.

Ages and identifier years count back from ``reference_year`` (default: this year), so the data
are the same for the same seed within a year.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from caselink.demo import data
from caselink.people.models import ContactKind, NameType, Sex
from caselink.people.rules import (
    NINO_VALID_PREFIXES,
    IdentifierType,
    fold_name,
    make_asn,
    make_cro,
    make_pnc,
    make_sf_cro,
)

T = TypeVar("T")

PERSON_COLUMNS = (
    "id",
    "given_name",
    "middle_names",
    "family_name",
    "date_of_birth",
    "sex",
    "gender_identity",
    "nationality",
    "ethnicity",
    "language",
    "interpreter_needed",
    "is_demo",
)
NAME_COLUMNS = (
    "person_id",
    "name_type",
    "given_name",
    "middle_names",
    "family_name",
    "given_name_norm",
    "family_name_norm",
)
IDENTIFIER_COLUMNS = ("person_id", "type", "value", "raw_value", "valid", "source")
ADDRESS_COLUMNS = (
    "person_id",
    "line1",
    "line2",
    "line3",
    "town",
    "county",
    "postcode",
    "no_fixed_abode",
    "from_date",
    "to_date",
    "is_current",
)
CONTACT_COLUMNS = ("person_id", "kind", "value", "is_preferred")

DEMO_SOURCE = "demo"
# The generator can give every person unique identifiers up to this many people (CRO numbers run
# out first: 1,000,000 standard plus 900,000 SF-form serials for about half of all people).
MAX_PEOPLE = 3_000_000

# Shares of people with each identifier (PNC for most, CRO for many with a PNC ID, ...).
SHARE_PNC = 0.85
SHARE_CRO_OF_PNC = 0.55
SHARE_PRISON = 0.20
SHARE_CRN = 0.35
SHARE_NINO = 0.75
SHARE_ASN = 0.15
SHARE_ALIASES = 0.10
SHARE_MISSING_DOB = 0.02

# A prime (so coprime to every space below) whose remainders look random: consecutive people get unrelated numbers.
_PERMUTATION_MULTIPLIER = 2_654_435_761


class Weighted(Generic[T]):
    """Pick items by weight with one random number and a binary search."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cumulative: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


class Permutation:
    """k -> a distinct number in [0, size) for every k < size, spread so they look unordered."""

    def __init__(self, size: int, seed: int, salt: int) -> None:
        self.size = size
        self.offset = (seed * 7919 + salt * 104_729) % size

    def __call__(self, k: int) -> int:
        if k >= self.size:
            raise ValueError("identifier space exhausted")
        return (k * _PERMUTATION_MULTIPLIER + self.offset) % self.size


@dataclass
class PeopleBatch:
    """Rows for each table, in the column orders above."""

    persons: list[tuple[Any, ...]] = field(default_factory=list)
    names: list[tuple[Any, ...]] = field(default_factory=list)
    identifiers: list[tuple[Any, ...]] = field(default_factory=list)
    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    contacts: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.persons) + len(self.names) + len(self.identifiers) + len(self.addresses) + len(self.contacts)


@dataclass(frozen=True)
class _CommunityTables:
    community: data.Community
    nationality: Weighted[str]
    language: Weighted[tuple[str, float]]
    ethnicity: Weighted[str]


@dataclass(frozen=True)
class _RegionTables:
    region: data.Region
    community: Weighted[str]
    area: Weighted[tuple[str, str, str, int]]


class PeopleGenerator:
    def __init__(self, seed: int = 1, reference_year: int | None = None) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.reference_year = reference_year or date.today().year
        self._reference_ordinal = date(self.reference_year, 1, 1).toordinal()
        self._norm_cache: dict[str, str] = {}
        self._regions = Weighted(
            [
                (
                    _RegionTables(
                        region,
                        Weighted(list(region.communities)),
                        # Bigger districts ranges stand for bigger places: weight areas by them.
                        Weighted([(area, float(area[3])) for area in region.areas]),
                    ),
                    float(region.weight),
                )
                for region in data.REGIONS
            ]
        )
        self._communities = {
            key: _CommunityTables(
                community,
                Weighted(list(community.nationalities)),
                Weighted([((lang, need), float(w)) for lang, w, need in community.languages]),
                Weighted(list(community.ethnicities)),
            )
            for key, community in data.COMMUNITIES.items()
        }
        self._counters = dict.fromkeys(IdentifierType, 0)
        self._cro_sf_count = 0
        self._pnc_serial = Permutation(10_000_000, seed, 1)
        self._cro_serial = Permutation(1_000_000, seed, 2)
        self._sf_serial = Permutation(900_000, seed, 3)
        self._prison = Permutation(3 * 10_000 * 26 * 26, seed, 4)
        self._crn = Permutation(20 * 1_000_000, seed, 5)
        self._nino = Permutation(len(NINO_VALID_PREFIXES) * 1_000_000, seed, 6)
        self._asn = Permutation(100_000_000_000, seed, 7)

    # --- public -------------------------------------------------------------------------------

    def batch(self, person_ids: Sequence[int]) -> PeopleBatch:
        """Rows for the next len(PERSON_IDS) people, who get these ids."""
        out = PeopleBatch()
        for person_id in person_ids:
            self._person(person_id, out)
        return out

    # --- one person ---------------------------------------------------------------------------

    def _norm(self, name: str) -> str:
        folded = self._norm_cache.get(name)
        if folded is None:
            folded = self._norm_cache[name] = fold_name(name)
        return folded

    def _person(self, person_id: int, out: PeopleBatch) -> None:
        rng = self.rng
        region = self._regions.pick(rng)
        tables = self._communities[region.community.pick(rng)]
        community = tables.community

        roll = rng.random()
        sex = (
            Sex.MALE
            if roll < 0.78
            else Sex.FEMALE
            if roll < 0.99
            else Sex.NOT_KNOWN
            if roll < 0.995
            else Sex.NOT_SPECIFIED
        )
        given_pool = (
            community.male
            if sex == Sex.MALE
            else community.female
            if sex == Sex.FEMALE
            else community.male + community.female
        )
        given = rng.choice(given_pool)
        middle = rng.choice(given_pool) if rng.random() < 0.45 else None
        if middle == given:
            middle = None
        family = rng.choice(community.family)

        # Ages 16-85, most in their twenties and thirties.
        age = min(85, 16 + int(rng.gammavariate(2.0, 10.0)))
        birth_ordinal = self._reference_ordinal - int((age + rng.random()) * 365.2425)
        date_of_birth = None if rng.random() < SHARE_MISSING_DOB else date.fromordinal(birth_ordinal)
        birth_year = date.fromordinal(birth_ordinal).year

        gender_identity = rng.choice(data.GENDER_IDENTITIES) if rng.random() < 0.004 else None
        language, interpreter_share = tables.language.pick(rng)
        interpreter_needed = language != "English" and rng.random() < interpreter_share
        ethnicity = tables.ethnicity.pick(rng) if rng.random() > 0.03 else None
        out.persons.append(
            (
                person_id,
                given,
                middle,
                family,
                date_of_birth,
                sex.value,
                gender_identity,
                tables.nationality.pick(rng),
                ethnicity,
                language,
                interpreter_needed,
                True,
            )
        )
        out.names.append(
            (person_id, NameType.PRIMARY.value, given, middle, family, self._norm(given), self._norm(family))
        )
        if rng.random() < SHARE_ALIASES:
            self._aliases(person_id, sex, given, family, community, given_pool, out)
        self._identifiers(person_id, birth_year, age, out)
        self._addresses(person_id, region, age, out)
        self._contacts(person_id, given, family, out)

    def _aliases(
        self,
        person_id: int,
        sex: Sex,
        given: str,
        family: str,
        community: data.Community,
        given_pool: tuple[str, ...],
        out: PeopleBatch,
    ) -> None:
        rng = self.rng
        for _ in range(1 if rng.random() < 0.75 else 2):
            roll = rng.random()
            if roll < 0.25 and given in data.NICKNAMES:
                name_type, alias_given, alias_family = NameType.NICKNAME, data.NICKNAMES[given], family
            elif roll < 0.45 and sex == Sex.FEMALE:
                name_type, alias_given, alias_family = NameType.MAIDEN, given, rng.choice(community.family)
            elif roll < 0.7:
                name_type, alias_given, alias_family = NameType.ALIAS, rng.choice(given_pool), family
            else:
                name_type, alias_given, alias_family = NameType.ALIAS, given, rng.choice(community.family)
            if (alias_given, alias_family) == (given, family):
                continue
            out.names.append(
                (
                    person_id,
                    name_type.value,
                    alias_given,
                    None,
                    alias_family,
                    self._norm(alias_given),
                    self._norm(alias_family),
                )
            )

    def _next(self, kind: IdentifierType) -> int:
        k = self._counters[kind]
        self._counters[kind] = k + 1
        return k

    def _identifiers(self, person_id: int, birth_year: int, age: int, out: PeopleBatch) -> None:
        rng = self.rng
        values: list[tuple[IdentifierType, str]] = []
        # The year the person was first recorded: from age 12 on, never after the reference year.
        first_year = min(self.reference_year, birth_year + 12 + int(rng.random() * max(1, age - 12)))
        if rng.random() < SHARE_PNC:
            values.append((IdentifierType.PNC, make_pnc(first_year, self._pnc_serial(self._next(IdentifierType.PNC)))))
            if rng.random() < SHARE_CRO_OF_PNC:
                values.append((IdentifierType.CRO, self._cro(first_year)))
        if rng.random() < SHARE_PRISON:
            v = self._prison(self._next(IdentifierType.PRISON_NUMBER))
            block, rest = divmod(v, 10_000 * 676)
            letters, digits = divmod(rest, 10_000)
            second, third = divmod(letters, 26)
            values.append(
                (IdentifierType.PRISON_NUMBER, f"{'AGH'[block]}{digits:04d}{chr(65 + second)}{chr(65 + third)}")
            )
        if rng.random() < SHARE_CRN:
            block, digits = divmod(self._crn(self._next(IdentifierType.CRN)), 1_000_000)
            values.append((IdentifierType.CRN, f"{'ABCDEFGHJKLMNPRSTVWX'[block]}{digits:06d}"))
        if rng.random() < SHARE_NINO:
            prefix, digits = divmod(self._nino(self._next(IdentifierType.NINO)), 1_000_000)
            values.append((IdentifierType.NINO, f"{NINO_VALID_PREFIXES[prefix]}{digits:06d}{'ABCD'[rng.randrange(4)]}"))
        if rng.random() < SHARE_ASN:
            arrest_year = max(first_year, self.reference_year - rng.randrange(10))
            force = rng.choice(data.FORCE_CODES)
            unit = chr(65 + rng.randrange(26)) + chr(65 + rng.randrange(26))
            sequence = self._asn(self._next(IdentifierType.ASN))
            values.append((IdentifierType.ASN, make_asn(arrest_year, force, unit, "00", sequence)))
        for kind, value in values:
            out.identifiers.append((person_id, kind.value, value, value, True, DEMO_SOURCE))

    def _cro(self, year: int) -> str:
        k = self._next(IdentifierType.CRO)
        if k < 1_000_000:
            return make_cro(self._cro_serial(k), year)
        # Past a million standard numbers, continue in the legacy SF form (another number space).
        return make_sf_cro(year, 100_000 + self._sf_serial(k - 1_000_000))

    def _postcode(self, area: str, highest_district: int) -> str:
        rng = self.rng
        letters = data.INWARD_LETTERS
        return (
            f"{area}{rng.randint(1, highest_district)} "
            f"{rng.randrange(10)}{letters[rng.randrange(len(letters))]}{letters[rng.randrange(len(letters))]}"
        )

    def _address_lines(self) -> tuple[str, str | None]:
        rng = self.rng
        street = f"{rng.choice(data.STREET_NAMES)} {rng.choice(data.STREET_KINDS)}"
        if rng.random() < 0.15:
            block = f"{rng.choice(data.STREET_NAMES)} {rng.choice(data.BLOCK_NAMES)}"
            return f"Flat {rng.randint(1, 60)}, {block}", f"{rng.randint(1, 200)} {street}"
        return f"{rng.randint(1, 240)} {street}", None

    def _addresses(self, person_id: int, region: _RegionTables, age: int, out: PeopleBatch) -> None:
        rng = self.rng
        today = self._reference_ordinal
        if rng.random() < 0.01:
            out.addresses.append((person_id, "No fixed abode", None, None, None, None, None, True, None, None, True))
            return
        area, town, county, highest = region.area.pick(rng)
        moved_in = date.fromordinal(today - rng.randrange(1, 365 * min(age - 15, 12)))
        line1, line2 = self._address_lines()
        out.addresses.append(
            (person_id, line1, line2, None, town, county, self._postcode(area, highest), False, moved_in, None, True)
        )
        if rng.random() < 0.3:
            # A previous address, usually in the same region.
            area, town, county, highest = (region.area if rng.random() < 0.8 else self._regions.pick(rng).area).pick(
                rng
            )
            earlier = date.fromordinal(moved_in.toordinal() - rng.randrange(180, 365 * 5))
            line1, line2 = self._address_lines()
            out.addresses.append(
                (
                    person_id,
                    line1,
                    line2,
                    None,
                    town,
                    county,
                    self._postcode(area, highest),
                    False,
                    earlier,
                    moved_in,
                    False,
                )
            )

    def _contacts(self, person_id: int, given: str, family: str, out: PeopleBatch) -> None:
        rng = self.rng
        if rng.random() < 0.6:
            # Ofcom keeps 07700 900000-900999 for drama: these numbers reach nobody.
            out.contacts.append((person_id, ContactKind.MOBILE.value, f"07700 900{rng.randrange(1000):03d}", True))
        if rng.random() < 0.25:
            local = f"{self._norm(given).replace(' ', '')}.{self._norm(family).replace(' ', '')}{rng.randrange(100)}"
            out.contacts.append((person_id, ContactKind.EMAIL.value, f"{local}@example.com", False))
