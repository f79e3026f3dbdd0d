"""The demo network: realistic, deterministic (one ``seed`` gives the same data) and quick at scale.

Everything is written with bulk inserts and one shared password hash, so that ``dealers=5000`` takes
seconds rather than the hours that one password hash per user would.
"""

from __future__ import annotations

import random
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from complaints.models import Complaint
from complaints.services import network_taxonomy_install
from customers.models import Customer, Vehicle
from customers.validators import normalize_phone, normalize_vin
from dealer_portal.tenancy.calendar import local_date, month_start, previous_month, zone_of
from dealer_portal.tenancy.models import Dealer, Department, Membership, Network, Region, Role
from scoring.services import shipped_checklists_install
from servicejobs.models import JobStatus, ServiceJob

from .bulk import IdBlock, write_rows
from .calls import demo_calls_build
from .clock import demo_now
from .complaints import demo_complaints_build
from .jobs import demo_jobs_build
from .profiles import dealer_profile_draw
from .scoring import demo_scoring_build
from .second_factors import DEMO_TOTP_SECRETS

DEMO_NETWORK_SLUG = "aurora-mx"
OTHER_NETWORK_SLUG = "borealis-fi"
MALAYSIA_NETWORK_SLUG = "proton-my"
DEMO_NETWORK_SLUGS = (DEMO_NETWORK_SLUG, OTHER_NETWORK_SLUG, MALAYSIA_NETWORK_SLUG)
# Dealers simulated and written together: what the build holds in memory at once, whatever the network's size.
CHUNK_DEALERS = 25
DEMO_EMAIL_DOMAIN = "demo.test"
DEMO_TIME_ZONE = "America/Mexico_City"
MALAYSIA_TIME_ZONE = "Asia/Kuala_Lumpur"
# Each network's people and customers speak its default language.
LANGUAGE_BY_EMAIL_DOMAIN = {DEMO_EMAIL_DOMAIN: "es", "borealis.test": "fi", "proton.test": "ms"}

# Region → (region code, [(city, time zone), ...]); a network spread over several time zones.
MEXICO_REGIONS = {
    "Norte": ("NTE", [("Monterrey", "America/Monterrey"), ("Tijuana", "America/Tijuana"),
                      ("Chihuahua", "America/Chihuahua"), ("Hermosillo", "America/Hermosillo"),
                      ("Saltillo", "America/Monterrey"), ("Mexicali", "America/Tijuana"),
                      ("Ciudad Juárez", "America/Ciudad_Juarez"), ("Reynosa", "America/Matamoros")]),
    "Centro": ("CEN", [("Ciudad de México", "America/Mexico_City"), ("Puebla", "America/Mexico_City"),
                       ("Querétaro", "America/Mexico_City"), ("Toluca", "America/Mexico_City"),
                       ("Pachuca", "America/Mexico_City"), ("Cuernavaca", "America/Mexico_City")]),
    "Occidente": ("OCC", [("Guadalajara", "America/Mexico_City"), ("León", "America/Mexico_City"),
                          ("Morelia", "America/Mexico_City"), ("Aguascalientes", "America/Mexico_City"),
                          ("Culiacán", "America/Mazatlan"), ("Mazatlán", "America/Mazatlan")]),
    "Sureste": ("SUR", [("Mérida", "America/Merida"), ("Cancún", "America/Cancun"),
                        ("Villahermosa", "America/Mexico_City"), ("Veracruz", "America/Mexico_City"),
                        ("Oaxaca", "America/Mexico_City"), ("Tuxtla Gutiérrez", "America/Mexico_City")]),
}
OUTLET_NAMES = ["Centro", "Norte", "Sur", "Valle", "Galerías", "Plaza", "Country", "Del Bosque", "Universidad",
                "Aeropuerto", "Las Torres", "San Pedro", "Cumbres", "Real", "Satélite", "Insurgentes"]
FIRST_NAMES = ["María", "José", "Guadalupe", "Juan", "Fernanda", "Luis", "Ana", "Carlos", "Sofía", "Miguel",
               "Valeria", "Jorge", "Daniela", "Ricardo", "Paola", "Alejandro", "Lucía", "Eduardo", "Camila",
               "Fernando", "Mariana", "Roberto", "Gabriela", "Héctor"]
LAST_NAMES = ["Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez",
              "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres",
              "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Castillo"]
MODELS = [("Aurora", "Lince"), ("Aurora", "Jaguar"), ("Aurora", "Cóndor"), ("Aurora", "Puma"),
          ("Aurora", "Halcón"), ("Aurora", "Coyote")]
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
# Malaysia's customers: Malay, Chinese and Indian names, as a Klang Valley outlet's list reads.
MALAYSIAN_NAMES = ["Nur Aisyah binti Ahmad", "Muhammad Faiz bin Hassan", "Siti Nurhaliza binti Omar",
                   "Ahmad Firdaus bin Ismail", "Nurul Huda binti Yusof", "Mohd Hafiz bin Abdullah",
                   "Tan Wei Ming", "Lim Mei Ling", "Wong Kar Hoe", "Chong Siew Lan", "Lee Chee Keong",
                   "Ng Hui Min", "Rajesh a/l Subramaniam", "Priya a/p Krishnan", "Kavitha a/p Muthu",
                   "Suresh a/l Nair", "Farah Nadia binti Zainal", "Aiman Hakimi bin Razak"]


@dataclass
class DemoSummary:
    networks: int = 0
    regions: int = 0
    dealers: int = 0
    users: int = 0
    memberships: int = 0
    customers: int = 0
    vehicles: int = 0
    jobs: int = 0
    complaints: int = 0
    calls: int = 0
    assessments: int = 0
    rankings: int = 0
    accounts: list[tuple[str, str]] = field(default_factory=list)


def demo_exists() -> bool:
    return Network.objects.filter(slug=DEMO_NETWORK_SLUG).exists()


def _vin(rng: random.Random) -> str:
    return "3AU" + "".join(rng.choice(VIN_ALPHABET) for _ in range(14))


def _plate(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
    return f"{letters}{rng.randint(100, 999)}{rng.choice(string.ascii_uppercase.replace('I', '').replace('O', ''))}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"


def history_months(today: date, months: int) -> int:
    """The 30-day "months" of history the app builders need so that the ``months`` complete calendar months
    before ``today``'s, and this month so far, are covered from their first day."""
    first = month_start(today)
    for _ in range(months):
        first = previous_month(first)
    return -(-(today - first).days // 30)


@transaction.atomic
def demo_network_build(*, seed: int = 7, dealers: int = 40, months: int = 12, today: date | None = None,
                       now: datetime | None = None) -> DemoSummary:
    """Build the demo: network "Aurora Motors México" (4 regions, ``dealers`` outlets; Spanish), a small second
    network to show tenant isolation (Finnish) and a small Malaysian one (Malay, with English and Chinese
    content), users for every role (three to six advisors per outlet), each dealer's
    customers and vehicles, and ``months`` complete months (and this month so far) of service jobs with their
    promise checks, complaints and follow-up calls, POE assessments and the published monthly rankings.
    The history runs up to ``now`` (default: the current time; given only ``today``, 11:30 on it in Mexico
    City) and nothing in it is dated later.

    Must run inside ``unscoped()``: it writes every tenant's rows.
    """
    rng = random.Random(seed)  # noqa: S311 - demo data must be reproducible, not secret
    now = demo_now(now=now, today=today, zone=zone_of(DEMO_TIME_ZONE))
    today = local_date(now, DEMO_TIME_ZONE)
    span = history_months(today, months)  # the app builders count 30-day months back from today
    full = dealers <= 200  # a network of a few dozen outlets with a full history; more is network scale
    summary = DemoSummary()
    password_hash = make_password(settings.DEMO_PASSWORD)

    network = Network.objects.create(slug=DEMO_NETWORK_SLUG, name="Aurora Motors México", time_zone=DEMO_TIME_ZONE,
                                     default_language="es", content_languages=["en"])
    other = Network.objects.create(slug=OTHER_NETWORK_SLUG, name="Borealis Motors Suomi",
                                   time_zone="Europe/Helsinki", default_language="fi", content_languages=["en"])
    # A small Malaysian network: Malay first, its content also in English and Chinese.
    malaysia = Network.objects.create(slug=MALAYSIA_NETWORK_SLUG, name="Proton Servis Malaysia",
                                      time_zone=MALAYSIA_TIME_ZONE, default_language="ms",
                                      content_languages=["en", "zh-hans"])
    summary.networks = 3

    regions = Region.objects.bulk_create(
        [Region(network=network, code=code, name=name) for name, (code, _) in MEXICO_REGIONS.items()]
        + [Region(network=other, code="ETELA", name="Etelä-Suomi"),
           Region(network=malaysia, code="KLANG", name="Lembah Klang")]
    )
    summary.regions = len(regions)
    region_by_code = {r.code: r for r in regions}

    dealer_rows: list[Dealer] = []
    region_items = list(MEXICO_REGIONS.items())
    for index in range(dealers):
        region_name, (region_code, cities) = region_items[index % len(region_items)]
        city, zone = cities[(index // len(region_items)) % len(cities)]
        outlet = OUTLET_NAMES[(index // (len(region_items) * len(cities))) % len(OUTLET_NAMES)]
        serial = index // len(region_items) + 1
        dealer_rows.append(Dealer(
            network=network, region=region_by_code[region_code], code=f"{region_code}-{serial:03d}",
            name=f"Aurora {city} {outlet}" if dealers <= 200 else f"Aurora {city} {outlet} {serial}",
            city=city, time_zone=zone, is_active=(index % 37 != 36),
        ))
    dealer_rows += [
        Dealer(network=other, region=region_by_code["ETELA"], code="HEL-001", name="Borealis Helsinki Vallila",
               city="Helsinki", time_zone="Europe/Helsinki"),
        Dealer(network=other, region=region_by_code["ETELA"], code="ESP-001", name="Borealis Espoo Leppävaara",
               city="Espoo", time_zone="Europe/Helsinki"),
        Dealer(network=malaysia, region=region_by_code["KLANG"], code="SHA-001", name="Proton Shah Alam Seksyen 15",
               city="Shah Alam", time_zone=MALAYSIA_TIME_ZONE),
        Dealer(network=malaysia, region=region_by_code["KLANG"], code="PJ-001", name="Proton Petaling Jaya",
               city="Petaling Jaya", time_zone=MALAYSIA_TIME_ZONE),
    ]
    created_dealers = Dealer.objects.bulk_create(dealer_rows, batch_size=1000)
    # The outlets were open before the history starts (a ranking lists the dealers that existed in its month).
    opened = datetime.combine(today - timedelta(days=span * 30 + 365), time(9), tzinfo=UTC)
    Dealer.objects.filter(network__in=[network, other, malaysia]).update(created_at=opened)
    summary.dealers = len(created_dealers)
    aurora_dealers = [d for d in created_dealers if d.network_id == network.pk]
    borealis_dealers = [d for d in created_dealers if d.network_id == other.pk]
    malaysia_dealers = [d for d in created_dealers if d.network_id == malaysia.pk]

    users: list[User] = []
    grants: list[tuple[int, dict]] = []  # (index into users, membership fields)

    def person(email: str, name: str, *, staff: bool = False, superuser: bool = False, language: str = "",
               **membership) -> None:
        # The staff joined when their outlets opened, before the history begins.
        users.append(User(email=email, full_name=name, password=password_hash, is_staff=staff or superuser,
                          is_superuser=superuser, date_joined=opened,
                          language=language or LANGUAGE_BY_EMAIL_DOMAIN[email.rsplit("@", 1)[1]]))
        if membership:
            grants.append((len(users) - 1, membership))

    first, second = aurora_dealers[0], aurora_dealers[1 % len(aurora_dealers)]
    person(f"superuser@{DEMO_EMAIL_DOMAIN}", "Soporte Plataforma", superuser=True)
    person(f"admin@{DEMO_EMAIL_DOMAIN}", "Adriana Network Admin", staff=True, network=network, role=Role.NETWORK_ADMIN)
    person(f"hq@{DEMO_EMAIL_DOMAIN}", "Héctor Auditor HQ", network=network, role=Role.HQ_ANALYST)
    for name, (code, _) in MEXICO_REGIONS.items():
        person(f"regional.{code.lower()}@{DEMO_EMAIL_DOMAIN}", f"Gerente Regional {name}", network=network,
               region=region_by_code[code], role=Role.REGIONAL_MANAGER)
    person(f"advisor@{DEMO_EMAIL_DOMAIN}", "Ana Asesora", network=network, dealer=first, role=Role.SERVICE_ADVISOR)

    def more_advisors(dealer: Dealer) -> None:
        # A working outlet has three to six advisors sharing the service lane (one each at network scale).
        for number in range(2, (rng.randint(3, 6) if full else 1) + 1):
            person(f"advisor.{dealer.code.lower()}.{number}@{DEMO_EMAIL_DOMAIN}", _person(rng), network=network,
                   dealer=dealer, role=Role.SERVICE_ADVISOR)

    more_advisors(first)
    person(f"rep@{DEMO_EMAIL_DOMAIN}", "Rosa Representante", network=network, dealer=first,
           role=Role.CUSTOMER_REPRESENTATIVE)
    grants.append((len(users) - 1, {"network": network, "dealer": second, "role": Role.CUSTOMER_REPRESENTATIVE}))
    person(f"manager@{DEMO_EMAIL_DOMAIN}", "Mario Gerente Servicio", network=network, dealer=first,
           role=Role.DEALER_MANAGER, department=Department.SERVICE)
    for dealer in aurora_dealers[1:]:
        slug = dealer.code.lower()
        person(f"advisor.{slug}@{DEMO_EMAIL_DOMAIN}", _person(rng), network=network, dealer=dealer,
               role=Role.SERVICE_ADVISOR)
        more_advisors(dealer)
        person(f"rep.{slug}@{DEMO_EMAIL_DOMAIN}", _person(rng), network=network, dealer=dealer,
               role=Role.CUSTOMER_REPRESENTATIVE)
        person(f"manager.{slug}@{DEMO_EMAIL_DOMAIN}", _person(rng), network=network, dealer=dealer,
               role=Role.DEALER_MANAGER, department=Department.SERVICE)
    person("hq@borealis.test", "Helena Borealis HQ", network=other, role=Role.HQ_ANALYST)
    person("advisor@borealis.test", "Aino Huoltoneuvoja", network=other, dealer=borealis_dealers[0],
           role=Role.SERVICE_ADVISOR)
    shah_alam, petaling_jaya = malaysia_dealers
    person("hq@proton.test", "Nurul Izzah binti Kamal", network=malaysia, role=Role.HQ_ANALYST)
    # HQ's analyst reads the ranking and scorecards in Chinese (the network's content has Chinese too).
    person("analyst@proton.test", "陈美玲 (Tan Mei Ling)", network=malaysia, role=Role.HQ_ANALYST, language="zh-hans")
    person("advisor@proton.test", "Muhammad Hafiz bin Ismail", network=malaysia, dealer=shah_alam,
           role=Role.SERVICE_ADVISOR)
    person("advisor.pj@proton.test", "Lim Wei Jie", network=malaysia, dealer=petaling_jaya,
           role=Role.SERVICE_ADVISOR)
    person("rep@proton.test", "Siti Aminah binti Rahman", network=malaysia, dealer=shah_alam,
           role=Role.CUSTOMER_REPRESENTATIVE)
    grants.append((len(users) - 1, {"network": malaysia, "dealer": petaling_jaya,
                                    "role": Role.CUSTOMER_REPRESENTATIVE}))

    IdBlock(User).assign(users)
    write_rows(User, users)
    memberships = [Membership(user_id=users[index].pk, department=fields.pop("department", ""), **fields)
                   for index, fields in grants]
    IdBlock(Membership).assign(memberships)
    write_rows(Membership, memberships)
    created_users = users
    summary.users, summary.memberships = len(created_users), len(memberships)
    # HQ, network admins and the superuser must use a second factor: each has had an authenticator app since
    # joining (dated like everything else in the demo's story).
    for user in created_users:
        if user.email in DEMO_TOTP_SECRETS:
            authenticator = TOTP.activate(user, DEMO_TOTP_SECRETS[user.email]).instance
            Authenticator.objects.filter(pk=authenticator.pk).update(created_at=opened)
    del memberships

    advisors_by_dealer: dict[int, list[User]] = defaultdict(list)
    staff_by_dealer: dict[int, dict[str, list[User]]] = defaultdict(lambda: defaultdict(list))
    for index, fields in grants:  # in grant order: a dealer's first representative is its longest-serving one
        if fields.get("dealer") is not None:
            staff_by_dealer[fields["dealer"].pk][fields["role"]].append(created_users[index])
            if fields["role"] == Role.SERVICE_ADVISOR:
                advisors_by_dealer[fields["dealer"].pk].append(created_users[index])
    for owner in (network, other, malaysia):
        network_taxonomy_install(network=owner)
        shipped_checklists_install(network=owner)

    # The rest goes a chunk of dealers at a time, each written before the next is simulated: memory stays flat
    # however big the network. The first dealer is advisor@demo.test's: a big outlet with the busy board, its
    # complaints in every state. Network scale keeps the history thin.
    ids = {model: IdBlock(model) for model in (Customer, Vehicle)}
    complaint_dealers = {dealer.pk for dealer in aurora_dealers + malaysia_dealers}
    for start in range(0, len(created_dealers), CHUNK_DEALERS):
        chunk = created_dealers[start:start + CHUNK_DEALERS]
        customers, vehicles = _customers_build(rng, chunk, ids=ids, full=full, today=today, span=span,
                                               phone_plan=(network, other, malaysia))
        summary.customers += len(customers)
        summary.vehicles += len(vehicles)
        customers_by_dealer: dict[int, list[Customer]] = defaultdict(list)
        for customer in customers:
            customers_by_dealer[customer.dealer_id].append(customer)
        vehicles_by_customer: dict[int, list[Vehicle]] = defaultdict(list)
        for vehicle in vehicles:
            vehicles_by_customer[vehicle.customer_id].append(vehicle)
        summary.jobs += demo_jobs_build(
            rng=rng, dealers=chunk, advisors_by_dealer=advisors_by_dealer,
            customers_by_dealer=customers_by_dealer, vehicles_by_customer=vehicles_by_customer, months=span,
            now=now, jobs_per_dealer_per_month=60 if full else 2, busy_board_factor=3 if full else 1,
            busy_first=start == 0)
        # How each outlet handles complaints, drawn once for the complaints and the follow-up calls alike.
        aurora_chunk = [dealer for dealer in chunk if dealer.network_id == network.pk]
        profiles = {dealer.pk: dealer_profile_draw(rng) for dealer in aurora_chunk}
        # Service complaints point to a job the customer had just collected: one query for the chunk's deliveries.
        jobs_by_dealer: dict[int, list[tuple]] = defaultdict(list)
        for job_id, dealer_id, customer_id, vehicle_id, delivered_at in (
                ServiceJob.objects.filter(dealer__in=aurora_chunk, status=JobStatus.DELIVERED)
                .values_list("pk", "dealer_id", "customer_id", "vehicle_id", "delivered_at")):
            jobs_by_dealer[dealer_id].append((delivered_at, job_id, customer_id, vehicle_id))
        # The complaint texts are Spanish: the Finnish network gets the taxonomy but no invented complaints.
        if aurora_chunk:
            demo_complaints_build(
                rng=rng, dealers=aurora_chunk, customers_by_dealer=customers_by_dealer,
                vehicles_by_customer=vehicles_by_customer, jobs_by_dealer=jobs_by_dealer,
                staff_by_dealer=staff_by_dealer, months=span, now=now, profiles=profiles,
                every_state_first=start == 0, compliments_per_month=(1, 4) if full else (0, 1))
        # A follow-up call for every delivery; Aurora's and Malaysia's dissatisfied answers open complaints
        # (the Malaysian ones in Malay, from the calls only).
        summary.calls += demo_calls_build(rng=rng, dealers=chunk, now=now, customers_by_dealer=customers_by_dealer,
                                          staff_by_dealer=staff_by_dealer, complaints_for=complaint_dealers,
                                          profiles=profiles)
        del customers, vehicles, customers_by_dealer, vehicles_by_customer, jobs_by_dealer
    summary.complaints = Complaint.objects.filter(dealer__network__in=[network, malaysia]).count()
    # A year of POE assessments and the rankings published from all of the above (Aurora only: the
    # Finnish network shows an empty ranking, as a network in its first month would).
    scoring = demo_scoring_build(rng=rng, network=network, dealers=aurora_dealers, now=now, months=months)
    # Malaysia: its last few months, enough for a ranking and scorecards in Malay, English and Chinese.
    malaysian = demo_scoring_build(rng=rng, network=malaysia, dealers=malaysia_dealers, now=now,
                                   months=min(months, 3))
    summary.assessments = scoring.assessments + malaysian.assessments
    summary.rankings = scoring.rankings + malaysian.rankings
    summary.accounts = [(u.email, u.full_name) for u in created_users[:12]]
    return summary


def _customers_build(rng: random.Random, dealers: list[Dealer], *, ids: dict, full: bool, today: date, span: int,
                     phone_plan: tuple[Network, Network, Network]) -> tuple[list[Customer], list[Vehicle]]:
    """The chunk's customers (120 an outlet, 5 at network scale) and their one or two cars each, written."""
    network, other, malaysia = phone_plan
    # A phone number and a VIN identify one customer at a dealer (as ``customers.services`` checks): never twice.
    phones: set[tuple[int, str]] = set()
    vins: set[tuple[int, str]] = set()

    def unique(taken: set, dealer_id: int, draw) -> str:
        value = draw()
        while (dealer_id, value) in taken:
            value = draw()
        taken.add((dealer_id, value))
        return value

    phone_prefix = {network.pk: "+52", other.pk: "+358", malaysia.pk: "+60"}
    phone_range = {network.pk: (2000000000, 9999999999), other.pk: (400000000, 509999999),
                   malaysia.pk: (123000000, 199999999)}
    customer_language = {network.pk: "es", other.pk: "fi", malaysia.pk: "ms"}
    customers: list[Customer] = []
    for dealer in dealers:
        for _ in range(120 if full else 5):
            name = rng.choice(MALAYSIAN_NAMES) if dealer.network_id == malaysia.pk else _person(rng)
            do_not_contact = rng.random() < 0.04
            customers.append(Customer(
                dealer=dealer, name=name,
                phone=unique(phones, dealer.pk, lambda dealer=dealer: normalize_phone(
                    f"{phone_prefix[dealer.network_id]}{rng.randint(*phone_range[dealer.network_id])}")),
                email=f"{name.split()[0].lower()}.{rng.randint(10, 9999)}@example.com".replace("í", "i")
                .replace("é", "e").replace("á", "a").replace("ó", "o").replace("ú", "u"),
                language=customer_language[dealer.network_id],
                do_not_contact=do_not_contact,
                do_not_contact_reason="Asked not to be called." if do_not_contact else "",
            ))
    ids[Customer].assign(customers)
    write_rows(Customer, customers)
    vehicles = []
    for customer in customers:
        for _ in range(1 if rng.random() < 0.8 else 2):
            make, model = MODELS[rng.randrange(len(MODELS))]
            # Handed over by yesterday at the latest: yesterday is past in every dealer's time zone.
            handover = today - timedelta(days=rng.randint(1, span * 30 + 365 * 3))
            vin = unique(vins, customer.dealer_id, lambda: normalize_vin(_vin(rng)))
            vehicles.append(Vehicle(dealer_id=customer.dealer_id, customer_id=customer.pk, vin=vin,
                                    plate=_plate(rng), make=make, model=model, handover_date=handover))
    ids[Vehicle].assign(vehicles)
    write_rows(Vehicle, vehicles)
    return customers, vehicles
