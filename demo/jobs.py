"""The demo's service history: months of service jobs per dealer, their promise checks and new-car handovers.

Every dealer draws a *quality* that decides how often each step is done right, and each of its three to
six advisors does a little better or worse than that, so dashboards and the ranking have real differences
to show. Each job's day is simulated in the dealer's local time up to the demo's "now" (see
``demo.clock``): the last days hold open jobs, today's board shows what has happened so far, and nothing
is recorded after "now". Dealers are simulated a chunk at a time and written with ``demo.bulk`` (COPY, final
values, no update afterwards); the same ``rng`` and "now" give the same rows.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from customers.models import Customer, Vehicle
from dealer_portal.tenancy.calendar import local_date
from dealer_portal.tenancy.models import Network
from servicejobs.models import (
    JobStatus,
    PromiseCheck,
    PromisedTimeChange,
    PromisePolicy,
    SalesHandover,
    ServiceJob,
    WorkCategory,
)
from servicejobs.promises import Policy, evaluate_service_promises
from servicejobs.services import promise_check_for

from .bulk import IdBlock, write_rows
from .clock import MINUTES_PER_DAY, LocalClock, demo_now

if TYPE_CHECKING:
    from accounts.models import User
    from dealer_portal.tenancy.models import Dealer

# Jobs simulated before they are written: bounds memory (nine checks per job) at network scale.
FLUSH_JOBS = 4000

WORKSHOP_OPENS, WORKSHOP_CLOSES = 8 * 60, 18 * 60
PICKUP_UNTIL = 19 * 60
FUTURE_WORKDAYS = 3  # appointments already booked for the next working days

# Appointment slots 07:30–16:30 every 15 minutes; customers prefer to drop the car off early.
APPOINTMENT_SLOTS = list(range(7 * 60 + 30, 16 * 60 + 31, 15))
_SLOT_WEIGHTS = [4 if minute < 10 * 60 else 2 if minute < 13 * 60 else 1.5 for minute in APPOINTMENT_SLOTS]
APPOINTMENT_CUM_WEIGHTS = [sum(_SLOT_WEIGHTS[: i + 1]) for i in range(len(_SLOT_WEIGHTS))]
WALK_IN_FIRST, WALK_IN_LAST = 7 * 60 + 30, 16 * 60 + 40

# The first dealer's today (advisor@demo.test's board): (minute, walk-in, customer's arrival offset).
FIRST_BOARD_TODAY = [(450, False, -5), (480, False, 0), (510, False, -10), (540, True, 0), (570, False, 2),
                     (615, False, -3), (660, False, 45), (675, True, 0),
                     (750, False, None), (840, False, None), (930, False, None), (960, False, None)]

W = WorkCategory
CATEGORY_WEIGHTS = {W.MAINTENANCE: 40, W.REPAIR: 17, W.TYRES: 10, W.ELECTRICAL: 9, W.WARRANTY: 8,
                    W.BODYWORK: 7, W.OTHER: 5, W.RECALL: 4}
CATEGORIES = list(CATEGORY_WEIGHTS)
CATEGORY_CUM_WEIGHTS = [sum(list(CATEGORY_WEIGHTS.values())[: i + 1]) for i in range(len(CATEGORIES))]
# Estimated workshop minutes by work category.
DURATIONS = {W.MAINTENANCE: (60, 180), W.TYRES: (45, 120), W.RECALL: (60, 150), W.OTHER: (45, 180),
             W.REPAIR: (120, 600), W.ELECTRICAL: (90, 420), W.WARRANTY: (120, 540), W.BODYWORK: (600, 2400)}

CONCERNS = {
    "es": {
        W.MAINTENANCE: ["Servicio de {km} km.", "Servicio de mantenimiento programado.",
                        "Cambio de aceite y filtros.", "Servicio de {km} km, revisar frenos."],
        W.REPAIR: ["Ruido en la suspensión delantera al pasar topes.", "Golpeteo en el motor en frío.",
                   "Los frenos rechinan al detenerse.", "Fuga de aceite bajo el motor."],
        W.ELECTRICAL: ["Testigo de check engine encendido.", "La batería se descarga durante la noche.",
                       "Falla intermitente en los elevadores eléctricos.", "El estéreo se apaga solo."],
        W.WARRANTY: ["Garantía: el aire acondicionado no enfría.", "Garantía: vibración en el volante a 100 km/h.",
                     "Garantía: falla en el sensor de estacionamiento."],
        W.RECALL: ["Campaña de seguridad: revisión de bolsas de aire.",
                   "Campaña: actualización de software del motor."],
        W.BODYWORK: ["Golpe en la defensa trasera.", "Rayón en la puerta del conductor.",
                     "Reparación de cofre por granizo."],
        W.TYRES: ["Cambio de llantas y alineación.", "El auto se va hacia la derecha.", "Rotación y balanceo."],
        W.OTHER: ["Instalación de accesorios.", "Revisión antes de un viaje largo.", "Lavado y detallado."],
    },
    "fi": {
        W.MAINTENANCE: ["Määräaikaishuolto {km} km.", "Vuosihuolto.", "Öljynvaihto ja suodattimet.",
                        "Huolto {km} km, jarrujen tarkastus."],
        W.REPAIR: ["Etujousituksesta kuuluu kolinaa.", "Jarrut kirskuvat pysähtyessä.",
                   "Moottorin alla öljyvuoto.", "Moottori nakuttaa kylmänä."],
        W.ELECTRICAL: ["Moottorin vikavalo palaa.", "Akku tyhjenee yön aikana.",
                       "Sähkölasit toimivat katkonaisesti."],
        W.WARRANTY: ["Takuu: ilmastointi ei jäähdytä.", "Takuu: ohjauspyörä värisee 100 km/h nopeudessa.",
                     "Takuu: pysäköintitutka ei toimi."],
        W.RECALL: ["Takaisinkutsu: turvatyynyjen tarkastus.", "Takaisinkutsu: moottorin ohjelmistopäivitys."],
        W.BODYWORK: ["Lommo takapuskurissa.", "Naarmu kuljettajan ovessa.", "Konepellin raekorjaus."],
        W.TYRES: ["Renkaiden kausivaihto.", "Auto vetää oikealle.", "Rengasvaihto ja suuntauksen tarkistus."],
        W.OTHER: ["Lisävarusteen asennus.", "Tarkastus ennen pitkää matkaa.", "Pesu ja vahaus."],
    },
    "ms": {
        W.MAINTENANCE: ["Servis {km} km.", "Servis berkala.", "Tukar minyak hitam dan penapis.",
                        "Servis {km} km, periksa brek."],
        W.REPAIR: ["Bunyi pada suspensi hadapan bila lalu bonggol.", "Brek berbunyi bila berhenti.",
                   "Minyak enjin bocor di bawah kereta.", "Enjin berketuk semasa sejuk."],
        W.ELECTRICAL: ["Lampu check engine menyala.", "Bateri kong pada waktu malam.",
                       "Tingkap kuasa kadang-kadang tidak berfungsi."],
        W.WARRANTY: ["Waranti: penghawa dingin tidak sejuk.", "Waranti: stereng bergegar pada 100 km/j.",
                     "Waranti: sensor parkir tidak berfungsi."],
        W.RECALL: ["Kempen panggil balik: pemeriksaan beg udara.", "Kempen: kemas kini perisian enjin."],
        W.BODYWORK: ["Kemek pada bampar belakang.", "Calar pada pintu pemandu.", "Baiki bonet akibat hujan batu."],
        W.TYRES: ["Tukar tayar dan penjajaran roda.", "Kereta tertarik ke kanan.", "Putaran dan imbangan tayar."],
        W.OTHER: ["Pasang aksesori.", "Pemeriksaan sebelum balik kampung.", "Cuci dan gilap."],
    },
}
REPEAT_CONCERN = {"es": "Regresa: el problema de la visita anterior persiste.",
                  "fi": "Sama vika palasi edellisen käynnin jälkeen.",
                  "ms": "Datang semula: masalah lawatan lepas masih berlaku."}
CHANGE_REASONS = {
    "es": ["La refacción llega más tarde de lo previsto.", "El diagnóstico tomó más tiempo.",
           "Carga de trabajo en el taller.", "Trabajo adicional autorizado por el cliente."],
    "fi": ["Varaosa saapuu myöhemmin.", "Vianhaku vei odotettua kauemmin.", "Korjaamolla ruuhkaa.",
           "Asiakkaan hyväksymä lisätyö."],
    "ms": ["Alat ganti lewat sampai.", "Diagnosis mengambil masa lebih lama.", "Bengkel sibuk.",
           "Kerja tambahan diluluskan oleh pelanggan."],
}
CANCEL_REASONS = {
    "es": ["El cliente reprogramó la cita.", "El cliente canceló por teléfono.", "El cliente vendió el auto."],
    "fi": ["Asiakas siirsi aikaa.", "Asiakas perui puhelimessa.", "Asiakas myi auton."],
    "ms": ["Pelanggan menukar tarikh janji temu.", "Pelanggan membatalkan melalui telefon.",
           "Pelanggan sudah menjual kereta."],
}


def _clamp(value: float) -> float:
    return min(0.995, max(0.05, value))


def _step_shares(quality: float) -> dict[str, float]:
    """How often each step is done right at ``quality``; reception and handover with the customer depend less on
    the staff than on the customer, the schedule is the promise dealers break most."""
    return {"greet": _clamp(quality - 0.03), "reception": _clamp(0.6 + 0.4 * quality),
            "walkaround": _clamp(quality - 0.08), "explain": _clamp(quality), "schedule": _clamp(quality - 0.05),
            "agreed": _clamp(0.55 + 0.45 * quality), "invoice": _clamp(quality + 0.02),
            "advice": _clamp(quality - 0.05), "handover": _clamp(0.6 + 0.4 * quality)}


def _round_up_15(minute: int) -> int:
    return -(-minute // 15) * 15


class _WorkshopClock(LocalClock):
    """The dealer's clock, which also knows the workshop's hours."""

    def add_work(self, moment: int, minutes: int) -> int:
        """The moment ``minutes`` of workshop time after ``moment`` (08:00–18:00 on working days)."""
        index, minute = divmod(moment, MINUTES_PER_DAY)
        minute = max(minute, WORKSHOP_OPENS)
        while True:
            if not self.is_workday(index) or minute >= WORKSHOP_CLOSES:
                index, minute = index + 1, WORKSHOP_OPENS
                continue
            available = WORKSHOP_CLOSES - minute
            if minutes <= available:
                return index * MINUTES_PER_DAY + minute + minutes
            minutes -= available
            index, minute = index + 1, WORKSHOP_OPENS


class _Record:
    """One simulated job with what its promise evaluation needs besides the row itself."""

    __slots__ = ("job", "changes", "repeat_of", "repeated_by")

    def __init__(self, job: ServiceJob, changes: list[PromisedTimeChange], repeat_of: _Record | None):
        self.job = job
        self.changes = changes
        self.repeat_of = repeat_of
        self.repeated_by: _Record | None = None


class _DealerHistory:
    """Simulates one dealer's service history; the rows stay unsaved until ``_Writer.flush``."""

    def __init__(self, *, rng: random.Random, dealer: Dealer, advisors: Sequence[User], customers: Sequence[Customer],
                 vehicles_by_customer: dict[int, list[Vehicle]], months: int, now: datetime, policy: Policy,
                 jobs_per_month: int, busy_board: bool):
        self.rng = rng
        self.dealer = dealer
        self.policy = policy  # the network's tolerances: the repeat-repair window, and the promises' evaluation
        self.repeat_window = policy.repeat_repair_days * MINUTES_PER_DAY
        self.pairs = [(customer, vehicle) for customer in customers
                      for vehicle in vehicles_by_customer.get(customer.pk, [])]
        self.clock = _WorkshopClock(dealer.zone, now=now, days=months * 30)
        self.today = self.clock.today_index
        self.now = self.clock.now_minute
        self.months, self.jobs_per_month, self.busy_board = months, jobs_per_month, busy_board
        quality = rng.uniform(0.55, 0.97)
        self.quality = quality
        # Each advisor takes a share of the jobs (a senior one more) and keeps promises a little better or
        # worse than the dealer as a whole.
        self.advisor_ids = [advisor.pk for advisor in advisors]
        weights = [rng.uniform(0.6, 1.4) for _ in self.advisor_ids]
        self.advisor_cum_weights = [sum(weights[: i + 1]) for i in range(len(weights))]
        skills = {advisor_id: rng.gauss(0, 0.04) if len(self.advisor_ids) > 1 else 0.0
                  for advisor_id in self.advisor_ids}
        # The dealer does better or worse from month to month (a new workshop manager, a busy season), around
        # where it stands, so its place in the ranking moves.
        self.shares_by_month: list[dict[int | None, dict[str, float]]] = []
        current = quality
        for _month in range(months + 1):
            self.shares_by_month.append({None: _step_shares(current)} | {
                advisor_id: _step_shares(current + skill) for advisor_id, skill in skills.items()})
            current = min(0.98, max(0.5, current + 0.3 * (quality - current) + rng.gauss(0, 0.035)))
        self.p_repeat = 0.01 + 0.08 * (1 - quality)
        self.records: list[_Record] = []
        self.handovers: list[SalesHandover] = []
        self._last_delivered: dict[tuple[int, str], tuple[int, _Record]] = {}
        self._busy_until: dict[int, int] = {}
        self._daily_km: dict[int, int] = {}
        self._queue: list[tuple] = []
        self._seq = 0

    # --- planning -------------------------------------------------------------------------------
    def _push(self, index: int, minute: int, spec: dict | None = None) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (index, minute, self._seq, spec))

    def _appointment_minute(self) -> int:
        return self.rng.choices(APPOINTMENT_SLOTS, cum_weights=APPOINTMENT_CUM_WEIGHTS)[0]

    def _random_slot(self, index: int, *, walk_in_share: float = 0.2) -> None:
        if self.rng.random() < walk_in_share:
            self._push(index, self.rng.randint(WALK_IN_FIRST, WALK_IN_LAST), {"walk_in": True})
        else:
            self._push(index, self._appointment_minute())

    def _plan(self) -> None:
        rng, clock = self.rng, self.clock
        past = [index for index in range(self.today) if clock.is_workday(index)]
        total = self.jobs_per_month * self.months
        per_day = total / max(len(past), 1)
        for _ in range(total if past else 0):
            self._random_slot(rng.choice(past))
        todays = round(per_day) if clock.is_workday(self.today) else 0
        if self.busy_board:  # a day that shows every state, even on a weekend; busier dealers add their usual
            for minute, walk_in, offset in FIRST_BOARD_TODAY:
                self._push(self.today, minute, {"walk_in": walk_in, "arrival_offset": offset, "keep": True})
            todays = max(0, round(per_day) - len(FIRST_BOARD_TODAY))
        for _ in range(todays):
            self._random_slot(self.today)
        index = self.today
        for _ in range(FUTURE_WORKDAYS):
            index = clock.next_workday(index)
            for _ in range(round(per_day * 0.6)):
                self._random_slot(index, walk_in_share=0)
        self.last_index = index

    # --- simulation -----------------------------------------------------------------------------
    def simulate(self) -> None:
        if not self.pairs:
            return
        self._plan()
        while self._queue:
            index, minute, _, spec = heapq.heappop(self._queue)
            self._job(index, minute, spec or {})
        self._number_jobs()
        self._sales_handovers()

    def _pick(self, moment: int, index: int) -> tuple[Customer, Vehicle, str, _Record | None]:
        """A customer, vehicle and work that make sense: the car is sold and not in the workshop, and the
        same work was not done in the last 30 days — unless no other choice is found, then it is a repeat."""
        rng = self.rng
        day = self.clock.day(index)
        for _ in range(6):
            customer, vehicle = rng.choice(self.pairs)
            category = rng.choices(CATEGORIES, cum_weights=CATEGORY_CUM_WEIGHTS)[0]
            previous = self._last_delivered.get((vehicle.pk, category))
            repeat = previous is not None and moment - previous[0] <= self.repeat_window
            sold = vehicle.handover_date is None or vehicle.handover_date <= day
            free = self._busy_until.get(vehicle.pk, -1) < moment
            if sold and free and not repeat:
                return customer, vehicle, category, None
        return customer, vehicle, category, previous[1] if repeat else None

    def _mileage(self, vehicle: Vehicle, index: int) -> int:
        daily = self._daily_km.get(vehicle.pk)
        if daily is None:
            daily = self._daily_km[vehicle.pk] = self.rng.randint(25, 70)
        sold = vehicle.handover_date or self.clock.day(index) - timedelta(days=3 * 365)
        days = max((self.clock.day(index) - sold).days, 0)
        return max(12, days * daily + self.rng.randint(-250, 250))

    def _job(self, index: int, minute: int, spec: dict) -> None:
        rng, clock = self.rng, self.clock
        slot = index * MINUTES_PER_DAY + minute
        walk_in = spec.get("walk_in", False)
        if "vehicle" in spec:
            customer, vehicle, category, repeat_of = spec["customer"], spec["vehicle"], spec["category"], \
                spec["repeat_of"]
        else:
            customer, vehicle, category, repeat_of = self._pick(slot, index)
        language = customer.language if customer.language in CONCERNS else "es"
        appointment = None if walk_in else slot
        advisor_id = (rng.choices(self.advisor_ids, cum_weights=self.advisor_cum_weights)[0]
                      if self.advisor_ids else None)
        p = self.shares_by_month[min(index // 30, len(self.shares_by_month) - 1)][advisor_id]
        job = ServiceJob(dealer_id=self.dealer.pk, customer_id=customer.pk, vehicle_id=vehicle.pk,
                         advisor_id=advisor_id, work_category=category, status=JobStatus.BOOKED,
                         appointment_at=clock.utc(appointment) if appointment is not None else None)
        mileage = self._mileage(vehicle, index)
        concern = rng.choice(CONCERNS[language][category])
        job.concern = REPEAT_CONCERN[language] if repeat_of is not None else concern.format(
            km=f"{max(10, round(mileage / 10000) * 10)},000" if language == "es"
            else f"{max(10, round(mileage / 10000) * 10)} 000")
        record = _Record(job, [], repeat_of)
        self._busy_until[vehicle.pk] = slot + MINUTES_PER_DAY  # booked: not offered for another job that day

        # Cancelled and no-show happen to appointments only (4/5 of the jobs): 2.5% and 3.75% of them make
        # about 2% and 3% of all jobs. The first board's jobs all come.
        close = rng.random()
        if appointment is not None and not spec.get("keep") and close < 0.0625:
            if close < 0.0375:
                closed, status = appointment + rng.randint(45, 120), JobStatus.NO_SHOW
            else:
                closed = (index - rng.randint(0, 3)) * MINUTES_PER_DAY + rng.randint(WORKSHOP_OPENS, WORKSHOP_CLOSES)
                closed, status = min(closed, appointment - 60), JobStatus.CANCELLED
                job.close_reason = rng.choice(CANCEL_REASONS[language])
            if closed <= self.now:
                job.status, job.closed_at = status, clock.utc(closed)
            else:
                job.close_reason = ""
            self._keep(record, repeat_of)
            return

        # The whole visit, planned as it would happen; afterwards cut at "now".
        if walk_in:
            arrival = slot
        else:
            offset = spec.get("arrival_offset")
            if offset is None:
                punctuality = rng.random()
                offset = (rng.randint(-15, 3) if punctuality < 0.75 else rng.randint(4, 12) if punctuality < 0.95
                          else rng.randint(15, 45))
            arrival = appointment + offset
        if arrival > self.now and walk_in:
            return  # a walk-in later today has not happened: nothing to record
        customer_late = appointment is not None and arrival > appointment + 5
        if rng.random() < p["greet"]:
            greeted = arrival + rng.randint(0, 4)
            if appointment is not None and not customer_late:
                greeted = max(arrival, min(greeted, appointment + 4))
        else:
            greeted = None if rng.random() < 0.15 else max(arrival, appointment or arrival) + rng.randint(6, 30)
        received = greeted if greeted is not None else arrival + rng.randint(2, 10)
        reception_with_customer = rng.random() < p["reception"]
        start = received + rng.randint(20, 60)
        walkaround, walkaround_with_customer = received + rng.randint(3, 10), True
        if rng.random() >= p["walkaround"]:
            kind = rng.random()
            if kind < 0.4:
                walkaround = None
            elif kind < 0.7:
                walkaround_with_customer = False
            else:
                walkaround = start + rng.randint(10, 40)
        low, high = DURATIONS[category]
        estimate = _round_up_15(rng.randint(low, high))
        explained = (walkaround if walkaround is not None and walkaround < start else received) + rng.randint(2, 8)
        if rng.random() >= p["explain"]:
            explained = start + rng.randint(15, 90) if rng.random() < 0.75 else None
        promised = None
        if explained is not None:
            promised = _round_up_15(clock.add_work(start, estimate + rng.choice([0, 15, 30, 45, 60])))
            promised = max(promised, _round_up_15(explained + 30))

        changes: list[tuple[int, int, int]] = []  # (previous, new, customer told)
        outcome = rng.random()
        if promised is None:
            ready = clock.add_work(start, int(estimate * rng.uniform(0.8, 1.4)))
        elif outcome < p["schedule"] * 0.85:
            ready = max(start + 15, promised - rng.randint(0, min(60, estimate // 3)))
        elif outcome < p["schedule"]:
            told = max(clock.add_work(start, rng.randint(10, 120)), explained + 5)
            new = _round_up_15(clock.add_work(promised, rng.randint(30, 240)))
            if told < promised:
                changes.append((promised, new, told))
                ready = new - rng.randint(0, 20)
            else:
                ready = max(start + 15, promised - rng.randint(0, 15))
        elif rng.random() < 0.6:
            ready = clock.add_work(promised, rng.randint(15, 180))
        else:
            told = promised + rng.randint(10, 90)
            new = _round_up_15(clock.add_work(told, rng.randint(30, 180)))
            changes.append((promised, new, told))
            ready = new - rng.randint(0, 15)
        done_as_agreed, extra_work = True, None
        if rng.random() < p["agreed"]:
            if rng.random() < 0.1:
                done_as_agreed, extra_work = False, start + (ready - start) // 2
        else:
            done_as_agreed = False if rng.random() < 0.7 else None
        delivered = ready + rng.randint(20, 240)
        if delivered % MINUTES_PER_DAY > PICKUP_UNTIL or not clock.is_workday(delivered // MINUTES_PER_DAY):
            delivered = (clock.next_workday(ready // MINUTES_PER_DAY) * MINUTES_PER_DAY + WORKSHOP_OPENS
                         + rng.randint(0, 150))
        handover_with_customer = rng.random() < p["handover"]
        invoice_explained = rng.random() < p["invoice"]
        advice_given = rng.random() < p["advice"]

        now = self.now
        if arrival > now:  # an appointment later today or in the coming days: still booked
            self._busy_until[vehicle.pk] = max(self._busy_until[vehicle.pk], slot + MINUTES_PER_DAY)
            self._keep(record, repeat_of)
            return
        job.status = JobStatus.ARRIVED
        job.arrived_at, job.reception_with_customer, job.mileage = clock.utc(arrival), reception_with_customer, mileage
        if greeted is not None and greeted <= now:
            job.greeted_at = clock.utc(greeted)
        if walkaround is not None and walkaround <= now:
            job.walkaround_at, job.walkaround_with_customer = clock.utc(walkaround), walkaround_with_customer
        if explained is not None and explained <= now:
            job.work_explained_at, job.estimated_duration_minutes = clock.utc(explained), estimate
            job.original_promised_ready_at = job.promised_ready_at = clock.utc(promised)
        if start <= now:
            job.status, job.work_started_at = JobStatus.IN_WORKSHOP, clock.utc(start)
            for previous, new, told in changes:
                if told <= now and job.promised_ready_at is not None:
                    record.changes.append(PromisedTimeChange(
                        dealer_id=self.dealer.pk, job=job, previous_at=clock.utc(previous), new_at=clock.utc(new),
                        reason=rng.choice(CHANGE_REASONS[language]), customer_told_at=clock.utc(told),
                        recorded_by_id=job.advisor_id))
                    job.promised_ready_at = clock.utc(new)
            if extra_work is not None and extra_work <= now:
                job.extra_work_authorised_at = clock.utc(extra_work)
        if ready <= now:
            job.status, job.ready_at, job.done_as_agreed = JobStatus.READY, clock.utc(ready), done_as_agreed
        if delivered <= now:
            job.status, job.delivered_at = JobStatus.DELIVERED, clock.utc(delivered)
            job.handover_with_customer, job.invoice_explained, job.advice_given = (
                handover_with_customer, invoice_explained, advice_given)
        self._busy_until[vehicle.pk] = max(delivered, slot + 60)
        self._keep(record, repeat_of)
        if job.status != JobStatus.DELIVERED:
            return
        self._last_delivered[(vehicle.pk, category)] = (delivered, record)
        if repeat_of is None and rng.random() < self.p_repeat:
            # The car comes back for the same work within the repeat-repair window.
            back = delivered // MINUTES_PER_DAY + rng.randint(2, 25)
            if not clock.is_workday(back):
                back = clock.next_workday(back)
            if back <= self.last_index:
                walk_in_back = rng.random() < 0.4
                minute = rng.randint(WALK_IN_FIRST, WALK_IN_LAST) if walk_in_back else self._appointment_minute()
                self._push(back, minute, {"walk_in": walk_in_back, "customer": customer, "vehicle": vehicle,
                                          "category": category, "repeat_of": record})

    def _keep(self, record: _Record, repeat_of: _Record | None) -> None:
        if repeat_of is not None and repeat_of.repeated_by is None:
            repeat_of.repeated_by = record
        self.records.append(record)

    def _number_jobs(self) -> None:
        """RO-<year>-<sequence>, in booking order, the sequence restarting every year (as ``next_job_number``)."""
        sequences: dict[int, int] = {}
        for record in self.records:
            moment = record.job.appointment_at or record.job.arrived_at
            year = local_date(moment, self.clock.zone).year
            sequences[year] = sequences.get(year, 0) + 1
            record.job.number = f"RO-{year}-{sequences[year]:05d}"

    def _sales_handovers(self) -> None:
        """A new-car handover for every car sold in the period, kept to its promises as well as service is."""
        rng, q = self.rng, self.quality
        first_day, today = self.clock.first_day, self.clock.day(self.today)
        for customer, vehicle in self.pairs:
            sold = vehicle.handover_date
            if sold is None or not first_day <= sold <= today:
                continue
            index = (sold - first_day).days
            moment = index * MINUTES_PER_DAY + rng.randint(10 * 60, 18 * 60 + 30)
            if moment > self.now:
                continue  # a car handed over later today: not yet
            if rng.random() < q:
                promised = sold + timedelta(days=rng.choice([0, 0, 0, 1, 3]))
            else:
                promised = sold - timedelta(days=rng.randint(1, 10))
            self.handovers.append(SalesHandover(
                dealer_id=self.dealer.pk, customer_id=customer.pk, vehicle_id=vehicle.pk,
                promised_delivery_date=promised, delivered_at=self.clock.utc(moment),
                delivered_faultless=rng.random() < _clamp(0.6 + 0.4 * q),
                introduction_given=rng.random() < _clamp(q)))


class _Writer:
    """Writes simulated dealers a chunk at a time: ids first, then every row with its final values, once.

    Nothing is kept from one chunk to the next and nothing written is updated afterwards, so memory does not
    grow with the network and parallel builders (bench workers) never lock each other's rows.
    """

    def __init__(self, now: datetime):
        self.now = now
        self.pending: list[_DealerHistory] = []
        self.pending_jobs = 0
        self.ids = {model: IdBlock(model) for model in (ServiceJob, PromisedTimeChange, PromiseCheck, SalesHandover)}

    def add(self, history: _DealerHistory) -> None:
        self.pending.append(history)
        self.pending_jobs += len(history.records)

    def _created(self, job: ServiceJob) -> datetime:
        """Booked two days ahead, or just now for an appointment further ahead than that; a walk-in on arrival."""
        if job.appointment_at is None:
            return job.arrived_at
        if job.appointment_at > self.now + timedelta(days=2):
            return self.now
        return job.appointment_at - timedelta(days=2)

    def flush(self) -> int:
        records = [record for history in self.pending for record in history.records]
        jobs = [record.job for record in records]
        self.ids[ServiceJob].assign(jobs)  # a repeat points to its earlier job: every id is known first
        changes = []
        for record in records:
            job = record.job
            if record.repeat_of is not None:
                job.repeat_of_id = record.repeat_of.job.pk
            job.created_at = self._created(job)
            job.updated_at = (job.delivered_at or job.closed_at or job.ready_at or job.work_started_at
                              or job.arrived_at or job.created_at)
            for change in record.changes:
                change.job_id, change.recorded_at = job.pk, change.customer_told_at
                changes.append(change)
        self.ids[PromisedTimeChange].assign(changes)
        checks: list[PromiseCheck] = []
        for history in self.pending:
            now = history.clock.now
            with timezone.override(history.clock.zone):  # reasons read in the dealer's local time
                for record in history.records:
                    job = record.job
                    results = evaluate_service_promises(
                        job, changes=record.changes, policy=history.policy,
                        repeated_by=record.repeated_by.job if record.repeated_by else None, now=now)
                    checks += [promise_check_for(job, result, now=now) for result in results]
        self.ids[PromiseCheck].assign(checks)
        handovers = [handover for history in self.pending for handover in history.handovers]
        for handover in handovers:
            handover.created_at = handover.delivered_at
        self.ids[SalesHandover].assign(handovers)
        write_rows(ServiceJob, jobs)
        write_rows(PromisedTimeChange, changes)
        write_rows(PromiseCheck, checks)
        write_rows(SalesHandover, handovers)
        self.pending, self.pending_jobs = [], 0
        return len(records)


def demo_jobs_build(*, rng: random.Random, dealers: list[Dealer], advisors_by_dealer: dict[int, list[User]],
                    customers_by_dealer: dict[int, list[Customer]], vehicles_by_customer: dict[int, list[Vehicle]],
                    months: int, jobs_per_dealer_per_month: int, today: date | None = None,
                    now: datetime | None = None, busy_board_factor: int = 1, busy_first: bool = True) -> int:
    """Build ``months`` of service history for every dealer up to ``now`` (see ``demo_now``; the first dealer
    gets a busy today and ``busy_board_factor`` times the others' jobs, unless ``busy_first`` is false: a later
    chunk of the same network) and return the job count.

    Side effects: bulk-inserts ServiceJob, PromisedTimeChange, PromiseCheck and SalesHandover rows;
    must run inside ``unscoped()``.
    """
    now = demo_now(now=now, today=today, zone=dealers[0].zone if dealers else timezone.get_current_timezone())
    writer = _Writer(now)
    policies = {network_id: Policy.from_model(PromisePolicy.objects.for_network(Network(pk=network_id)))
                for network_id in {dealer.network_id for dealer in dealers}}
    total = 0
    for position, dealer in enumerate(dealers):
        busy = busy_first and position == 0
        history = _DealerHistory(policy=policies[dealer.network_id],
            rng=rng, dealer=dealer, advisors=advisors_by_dealer.get(dealer.pk, []),
            customers=customers_by_dealer.get(dealer.pk, []), vehicles_by_customer=vehicles_by_customer,
            months=months, now=now, busy_board=busy,
            jobs_per_month=jobs_per_dealer_per_month * (busy_board_factor if busy else 1))
        history.simulate()
        writer.add(history)
        if writer.pending_jobs >= FLUSH_JOBS:
            total += writer.flush()
    total += writer.flush()
    return total
