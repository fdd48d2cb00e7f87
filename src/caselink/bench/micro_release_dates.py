"""Throughput of the release-date calculator: ``python -m caselink.bench.micro_release_dates``.

Builds a deterministic mix of sentences (single terms, consecutive pairs, concurrent pairs, some
remand, some offence flags, sentence dates across every rule-pack version) and times computing
release dates for all of them. Target from issue 6: 100,000 sentences in 60 s or less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from caselink.custody.rules import (
    RELEASE_RULES,
    Length,
    OffenceFlag,
    SentenceCalculationInput,
    SentenceTerm,
    calculate_release_dates,
)

FIRST_DAY = dt.date(2015, 2, 1)
DAYS_COVERED = (dt.date(2030, 12, 31) - FIRST_DAY).days
FLAGS = list(OffenceFlag)


def _term(rng: random.Random, sentenced: dt.date, id: str, consecutive_to: str | None) -> SentenceTerm:
    length = rng.choice(
        [
            Length(months=rng.randint(1, 11)),
            Length(years=rng.randint(1, 4), months=rng.randint(0, 11)),
            Length(years=rng.randint(5, 12)),
            Length(weeks=rng.randint(1, 20)),
        ]
    )
    flags = frozenset(rng.sample(FLAGS, rng.choice([0, 0, 0, 1, 2])))
    return SentenceTerm(
        id=id,
        sentence_date=sentenced,
        offence_date=sentenced - dt.timedelta(days=rng.randint(0, 500)),
        length=length,
        consecutive_to=consecutive_to,
        flags=flags,
    )


def make_cases(count: int, seed: int = 6) -> list[SentenceCalculationInput]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        sentenced = FIRST_DAY + dt.timedelta(days=rng.randint(0, DAYS_COVERED))
        shape = rng.random()
        terms: tuple[SentenceTerm, ...]
        if shape < 0.6:
            terms = (_term(rng, sentenced, "1", None),)
        elif shape < 0.8:
            terms = (_term(rng, sentenced, "1", None), _term(rng, sentenced, "2", "1"))
        else:
            terms = (_term(rng, sentenced, "1", None), _term(rng, sentenced, "2", None))
        cases.append(SentenceCalculationInput(terms, remand_days=rng.choice([0, 0, rng.randint(1, 6)])))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument(
        "--service",
        action="store_true",
        help="time the custody service's path: calculate, then build the stored row (input, dates, steps)",
    )
    args = parser.parse_args()
    if args.service:
        _service_path(make_cases(args.count))
        return
    series = RELEASE_RULES.series()  # loaded once, as at start-up; not part of the timing
    cases = make_cases(args.count)
    with_hdc = with_tused = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for case in cases:
        result = calculate_release_dates(case, series)
        with_hdc += result.hdced is not None
        with_tused += result.tused is not None
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"release dates: {args.count:,} sentences in {elapsed:.2f} s wall, {cpu:.2f} s CPU "
        f"({args.count / elapsed:,.0f} per second; {with_hdc:,} with HDCED, {with_tused:,} with TUSED; target <= 60 s)"
    )


def _service_path(cases: list[SentenceCalculationInput]) -> None:
    """What caselink.custody.service does per person before its INSERT: the calculation (with a
    missing rule pack explained) and the JSON it stores (input snapshot, dates with steps)."""
    from caselink.custody import service

    RELEASE_RULES.series()
    started, cpu_started = time.perf_counter(), time.process_time()
    stored = 0
    for case in cases:
        result = service.calculate(case)
        payload = (
            service._input_json(case),
            [
                {"kind": d.kind.value, "date": d.date.isoformat(), "steps": list(d.steps), "rule_pack": d.rule_pack}
                for d in result.dates()
            ],
        )
        stored += len(payload[1])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"release dates (service path, without the INSERT): {len(cases):,} sentences in {elapsed:.2f} s wall, "
        f"{cpu:.2f} s CPU ({len(cases) / elapsed:,.0f} per second; {stored:,} dates stored; target <= 60 s)"
    )


if __name__ == "__main__":
    main()
