"""Load-test journeys for `caselink bench` (run by locust, never imported by the app).

Each journey family is one ``Journey`` subclass with a ``weight`` (its share of the simulated
users) and a few ``@task`` steps. Every request passes ``name=`` so that the table groups a step
under one row however its query varies. To add a capability's journeys: add a subclass here (set
``signed_in = True`` when its pages need a member of staff; see ``Journey.sign_in``) and, when it
needs data, make sure `caselink demo` creates it. Select families with `caselink bench --journeys
OffenceFinder,OffenceApi` (the class names).
"""

from __future__ import annotations

import csv
import random
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

# Every demo login shares this password (README, "Demo logins"); the bench runs in demo mode.
from caselink.accounts.service import DEMO_PASSWORD

# What people type into the offence finder: words from offence titles, as typed, and real CJS codes.
SEARCH_WORDS = [
    "theft",
    "theft from the person",
    "theft from a shop",
    "burglary dwelling",
    "robbery",
    "assault occasioning",
    "common assault",
    "assault a constable",
    "criminal damage",
    "drink driving",
    "drive whilst disqualified",
    "no insurance",
    "possession cannabis",
    "possess with intent to supply",
    "harassment",
    "fail to surrender",
    "wounding with intent",
    "pedal cycle",
]
# Codes from the standing data, with the title each belongs to (the code must come back first).
OFFENCE_CODES = [
    "TH68001",  # Theft from the person of another
    "TH68010",  # Theft from a shop
    "TH68023",  # Robbery
    "TH68026",  # Burglary dwelling - with intent to steal
    "TH68013",  # Theft of motor vehicle
    "OF61016",  # Section 18 - wounding with intent
    "CD71039",  # Criminal damage to property - value under £5000
    "RT88007",  # Drive motor vehicle when alcohol level above limit
    "RT88333",  # Drive whilst disqualified
    "MD71530",  # Possess a controlled drug of Class B - Cannabis / Cannabis Resin
    "CJ88001",  # Common assault
    "PL96001",  # Assault a constable in the execution of his / her duty
]
API_PAGE_SIZE = 20
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Journey(HttpUser):
    """Base of every journey family: think time between steps as a person reading a page."""

    abstract = True
    wait_time = between(1, 5)
    # Families whose pages need a member of staff set this; sign_in() runs once per simulated user.
    signed_in = False

    def on_start(self) -> None:
        if self.signed_in:
            self.sign_in()

    # The demo login a signed-in family uses (demo mode needs no authenticator code).
    username = "demo.probation-practitioner"

    def sign_in(self) -> None:
        """Sign the simulated user in as a person would: the form (with its CSRF token), then the
        post. The session cookie then rides on self.client for every later step."""
        form = self.client.get("/sign-in", name="sign in: page")
        token = CSRF_FIELD.search(form.text)
        with self.client.post(
            "/sign-in",
            data={"username": self.username, "password": DEMO_PASSWORD, "csrf_token": token.group(1) if token else ""},
            name="sign in: submit",
            catch_response=True,
        ) as response:
            # Signed in means we were sent on into the service, not shown the form again.
            if response.status_code != 200 or "/sign-in" in response.url:
                response.failure(f"could not sign in as {self.username}")


class StartPage(Journey):
    """Someone arriving at the service."""

    weight = 1

    @task
    def start_page(self) -> None:
        self.client.get("/", name="start page")


class OffenceFinder(Journey):
    """A caseworker looking up an offence on the finder page, by words or by code."""

    weight = 3

    @task(3)
    def search_by_words(self) -> None:
        self.client.get("/reference/offences", name="offence finder: page")
        self.wait()  # reading the page and typing
        words = random.choice(SEARCH_WORDS)
        self.client.get("/reference/offences", params={"q": words}, name="offence finder: search words")
        if random.random() < 0.3:  # not what they wanted on the first page
            self.wait()
            self.client.get("/reference/offences", params={"q": words, "page": 2}, name="offence finder: page 2")

    @task(1)
    def search_by_code(self) -> None:
        code = random.choice(OFFENCE_CODES)
        with self.client.get(
            "/reference/offences", params={"q": code}, name="offence finder: search code", catch_response=True
        ) as response:
            # A code search that does not show the code is broken, whatever its status says.
            if response.status_code == 200 and code not in response.text:
                response.failure(f"{code} not in the results")


class OffenceApi(Journey):
    """Another agency's system searching offences through the API: a search, the next pages as a
    pick-list scrolls, then the chosen offence."""

    weight = 2

    @task
    def search_page_and_choose(self) -> None:
        words = random.choice(SEARCH_WORDS + OFFENCE_CODES)
        params: dict[str, str | int] = {"q": words, "page_size": API_PAGE_SIZE}
        with self.client.get(
            "/api/v1/reference/offences", params=params, name="api: offences search", catch_response=True
        ) as response:
            body = _json(response)
            # The exact code ranks first; anything else is a broken search.
            if words in OFFENCE_CODES and body is not None and (body.get("items") or [{}])[0].get("code") != words:
                response.failure(f"{words} is not the first result")
        if not body or not body.get("items"):
            return
        chosen = random.choice(body["items"])["code"]
        # Up to two further pages, as far as there are any.
        for page in range(2, min(int(body.get("pages", 1)), 3) + 1):
            params["page"] = page
            self.client.get("/api/v1/reference/offences", params=params, name="api: offences next page")
        self.client.get(f"/api/v1/reference/offences/{chosen}", name="api: offence by code")


class MyWork(Journey):
    """A probation practitioner opening their work queue through the day, sometimes a task."""

    weight = 2
    signed_in = True
    username = "demo.probation-practitioner"

    @task
    def my_work(self) -> None:
        page = self.client.get("/tasks", name="my work: queue")
        task_links = re.findall(r'href="(/tasks/\d+)"', page.text)
        if task_links and random.random() < 0.5:
            self.wait()
            self.client.get(random.choice(task_links), name="my work: task")


CASE_LINK = re.compile(r'href="(/prosecution/cases/\d+)"')
HEARING_LINK = re.compile(r'href="(/courts/hearings/\d+)"')
PRISONER_LINK = re.compile(r'href="(/custody/people/\d+)"')
DAY_LINK = re.compile(r'href="(/courts/[^"/]+/list\?date=[0-9-]+)"')


class CpsLawyerCases(Journey):
    """A CPS lawyer working through their cases by next hearing: the list, sometimes the next
    page or the area's list, then a case to prepare (`caselink demo` allocates them cases)."""

    weight = 3
    signed_in = True
    username = "demo.cps-lawyer"

    @task
    def my_cases(self) -> None:
        page = self.client.get("/prosecution/cases", name="lawyer: my cases")
        links = CASE_LINK.findall(page.text)
        if random.random() < 0.2:
            self.wait()
            page = self.client.get("/prosecution/cases", params={"page": 2}, name="lawyer: my cases page 2")
        elif random.random() < 0.1:
            self.wait()
            self.client.get("/prosecution/cases", params={"scope": "area"}, name="lawyer: area cases")
        if links:
            self.wait()  # reading the list, choosing a case
            self.client.get(random.choice(links), name="lawyer: case")


class CourtDailyList(Journey):
    """A court clerk on their court's list: today's, sometimes the next or previous day, then a
    hearing to take its results."""

    weight = 3
    signed_in = True
    username = "demo.court-clerk"

    @task
    def daily_list(self) -> None:
        page = self.client.get("/courts/list", name="court: daily list")
        days = DAY_LINK.findall(page.text)
        if days and random.random() < 0.3:
            self.wait()
            page = self.client.get(random.choice(days), name="court: other day")
        hearings = HEARING_LINK.findall(page.text)
        if hearings:
            self.wait()
            self.client.get(random.choice(hearings), name="court: hearing")


class PrisonRoll(Journey):
    """A prison records clerk checking the roll, sometimes its next page, then a prisoner."""

    weight = 2
    signed_in = True
    username = "demo.prison-records-clerk"

    @task
    def roll(self) -> None:
        page = self.client.get("/custody/roll", name="prison: roll")
        if random.random() < 0.2:
            self.wait()
            page = self.client.get("/custody/roll", params={"page": 2}, name="prison: roll page 2")
        people = PRISONER_LINK.findall(page.text)
        if people:
            self.wait()
            self.client.get(random.choice(people), name="prison: prisoner")


class OutcomeDashboard(Journey):
    """A CPS lawyer looking at their area's outcome measures over the last year (a few times a day,
    so a small share of the users)."""

    weight = 1
    signed_in = True
    username = "demo.cps-lawyer"
    wait_time = between(5, 15)

    @task
    def outcomes(self) -> None:
        today = date.today()
        self.client.get(
            "/reports/outcomes",
            params={"start": (today - timedelta(days=365)).isoformat(), "end": today.isoformat()},
            name="reports: outcomes one area, one year",
        )


PROBATION_CASE_LINK = re.compile(r'href="(/probation/cases/\d+)"')
OUTCOME_LINK = re.compile(r'href="(/probation/contacts/\d+/outcome)"')
SESSION_LINK = re.compile(r'href="(/probation/upw/sessions/\d+)"')
CUSTODY_PERSON_LINK = re.compile(r'href="(/custody/people/\d+)"')


def _post_form(user: HttpUser, path: str, form_page: Any, data: dict[str, str], name: str) -> None:
    """Submit a page's form as a browser would: its CSRF token, then a redirect on success (a form
    shown again with errors is a failure)."""
    token = CSRF_FIELD.search(form_page.text)
    with user.client.post(
        path, data={**data, "csrf_token": token.group(1) if token else ""}, name=name, catch_response=True
    ) as response:
        if response.status_code != 200 or response.url.rstrip("/").endswith(path.rstrip("/")):
            response.failure(f"{path} was not accepted ({response.status_code})")


class ProbationCaseload(Journey):
    """A probation practitioner through the day: their caseload (tier, next appointment, overdue
    actions, flags), a case, its contacts; sometimes they record an outcome of an appointment that
    has happened, or book the next one (`caselink demo` gives the demo practitioner a caseload)."""

    weight = 3
    signed_in = True
    username = "demo.probation-practitioner"

    @task
    def caseload(self) -> None:
        page = self.client.get("/probation/caseload", name="probation: caseload")
        cases = PROBATION_CASE_LINK.findall(page.text)
        if not cases:
            return
        self.wait()  # reading the list, choosing a case
        case = random.choice(cases)
        self.client.get(case, name="probation: case")
        self.wait()
        contacts = self.client.get(f"{case}/contacts", name="probation: case contacts")
        if random.random() < 0.25:
            self.wait()
            self._write(case, contacts.text)

    def _write(self, case: str, contacts_html: str) -> None:
        outcomes = OUTCOME_LINK.findall(contacts_html)
        if outcomes:
            link = random.choice(outcomes)
            form = self.client.get(link, name="probation: outcome form")
            data = {"outcome": "attended_complied", "notes": "Attended on time (bench)", "hours": ""}
            _post_form(self, link, form, data, "probation: record outcome")
            return
        form = self.client.get(f"{case}/contacts/new", name="probation: new contact form")
        when = (date.today() + timedelta(days=random.randint(7, 21))).isoformat() + "T10:00:00+00:00"
        data = {"type": "office_appointment", "starts_at": when, "location": "Probation office", "with_whom": ""}
        _post_form(self, f"{case}/contacts/new", form, data, "probation: book appointment")


class UpwSupervisor(Journey):
    """An unpaid work supervisor checking the unit's coming sessions, then one session's places."""

    weight = 1
    signed_in = True
    username = "demo.unpaid-work-supervisor"

    @task
    def sessions(self) -> None:
        page = self.client.get("/probation/upw/sessions", name="upw: sessions")
        sessions = SESSION_LINK.findall(page.text)
        if random.random() < 0.2:
            self.wait()
            self.client.get("/probation/upw/sessions", params={"page": 2}, name="upw: sessions page 2")
        if sessions:
            self.wait()
            self.client.get(random.choice(sessions[:5]), name="upw: session attendance")


class PrisonOffenderManager(Journey):
    """A prison offender manager: their prisoners (or the prison's unallocated ones), the roll,
    then a prisoner's custody tab with the sentence and release dates."""

    weight = 2
    signed_in = True
    username = "demo.prison-offender-manager"

    @task
    def prisoners(self) -> None:
        page = self.client.get("/custody/offender-management", name="pom: my prisoners")
        people = CUSTODY_PERSON_LINK.findall(page.text)
        if not people:
            self.wait()
            page = self.client.get("/custody/offender-management/unallocated", name="pom: unallocated")
            people = CUSTODY_PERSON_LINK.findall(page.text)
        if not people or random.random() < 0.3:
            self.wait()
            page = self.client.get("/custody/roll", name="pom: roll")
            people = CUSTODY_PERSON_LINK.findall(page.text) or people
        if people:
            self.wait()
            self.client.get(random.choice(people), name="pom: prisoner sentence and release dates")


# Family names common in the demo people (`caselink demo`): where a person search journey starts
# to learn identifiers and names that exist.
PEOPLE_SEED_NAMES = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Patel", "Khan"]
PERSON_LINK = re.compile(r'href="(/people/\d+)"')


def _mistype(name: str) -> str:
    """Two neighbouring letters swapped, as people mistype ("Smtih")."""
    if len(name) < 4:
        return name
    i = random.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


class PeopleSearch(Journey):
    """A police case builder finding a person before adding them to a case: by an identifier
    copied from another system (PNC ID, prison number, ...), or by a name typed with the usual
    mistakes (a typo, names swapped), sometimes with the date of birth; then the person's page."""

    weight = 3
    signed_in = True
    username = "demo.police-case-builder"

    def on_start(self) -> None:
        super().on_start()
        # People that exist, learnt as a user would from results: their identifiers and names.
        self.known: list[dict[str, Any]] = []
        for family in random.sample(PEOPLE_SEED_NAMES, 3):
            body = _json(
                self.client.get(
                    "/api/v1/people", params={"q": family, "page_size": 50}, name="people: api name search (setup)"
                )
            )
            self.known += [
                item for item in (body or {}).get("items", []) if item.get("family_name") and item.get("identifiers")
            ]

    @task(2)
    def by_identifier(self) -> None:
        if not self.known:
            return
        identifier = random.choice(random.choice(self.known)["identifiers"])
        page = self.client.get("/people", params={"q": identifier["value"]}, name="people: search by identifier")
        self._open_a_result(page.text)

    @task(3)
    def by_name(self) -> None:
        if not self.known:
            return
        person = random.choice(self.known)
        given, family = person["given_name"] or "", person["family_name"]
        params = {"q": f"{given} {_mistype(family)}"}
        roll = random.random()
        if roll < 0.2:
            params["q"] = f"{family} {given}"  # names swapped
        if roll > 0.5 and person.get("date_of_birth"):
            year, month, day = person["date_of_birth"].split("-")
            params |= {"dob_day": day, "dob_month": month, "dob_year": year}
        page = self.client.get("/people", params=params, name="people: search by name")
        self._open_a_result(page.text)

    @task(1)
    def by_name_api(self) -> None:
        if not self.known:
            return
        person = random.choice(self.known)
        params = {"q": f"{person['given_name'] or ''} {_mistype(person['family_name'])}"}
        if person.get("date_of_birth"):
            params["date_of_birth"] = person["date_of_birth"]
        self.client.get("/api/v1/people", params=params, name="people: api search by name")

    def _open_a_result(self, html: str) -> None:
        people = PERSON_LINK.findall(html)
        if people and random.random() < 0.5:
            self.wait()  # reading the results
            self.client.get(people[0], name="people: person page")


def _json(response: Any) -> dict[str, Any] | None:
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


_ENVIRONMENT: dict[str, Environment] = {}


@events.init.add_listener
def _remember_environment(environment: Environment, **_: Any) -> None:
    _ENVIRONMENT["env"] = environment


@events.quit.add_listener
def _write_final_stats(exit_code: int, **_: Any) -> None:
    """Write the complete statistics once every user has stopped (locust's own CSV lags by up to a
    second). `caselink bench` reads PREFIX_final_stats.csv when it exists."""
    environment: Environment | None = _ENVIRONMENT.get("env")
    if environment is None or environment.parsed_options is None:
        return
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not prefix:
        return
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    with Path(f"{prefix}_final_stats.csv").open("w", newline="") as fh:
        writer.requests_csv(csv.writer(fh))
    with Path(f"{prefix}_final_failures.csv").open("w", newline="") as fh:
        writer.failures_csv(csv.writer(fh))
