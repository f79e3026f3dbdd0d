"""The demo's follow-up calls: one per delivered service job and new-car handover, in the network's window.

Each dealer draws a *quality* that decides how often its representative reaches the customer inside the
window; calls whose window is over by the demo's "now" (see ``demo.clock``) are reached or missed, the rest
are still to be made, and no attempt or answer is ever recorded after "now". Reached calls carry the
customer's answers, and a dissatisfied answer opens its complaint (channel "follow-up call", with the
category its words point to), as ``call_answers_record`` would; how many do is the dealer's profile
(``demo.profiles``). Service promise 9 of every delivered job is then rewritten from its call. Everything is
built in memory and written with bulk inserts; the same ``rng`` and "now" give the same rows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from complaints.models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    ComplaintState,
    EntryKind,
    SolutionProposal,
    TimelineEntry,
)
from complaints.services.taxonomy import department_of_area, shipped_category_name
from dealer_portal.tenancy.calendar import local_date
from dealer_portal.tenancy.models import Network, Role
from followups.models import AttemptOutcome, CallAnswer, CallAttempt, CallKind, CallStatus, FollowUpCall, Questionnaire
from followups.scheduling import call_window, followup_call_new
from servicejobs.models import JobStatus, PromiseCheck, PromisePolicy, SalesHandover, ServiceJob

from .bulk import IdBlock, write_rows
from .clock import demo_now
from .complaints import closed_in_time
from .profiles import DealerProfile, Quota, dealer_profile_draw

if TYPE_CHECKING:
    from customers.models import Customer
    from dealer_portal.tenancy.models import Dealer

BATCH_SIZE = 2000
CALL_FROM, CALL_UNTIL = 9 * 60, 18 * 60 + 30  # when representatives phone customers
ONLINE_FROM, ONLINE_UNTIL = 7 * 60, 23 * 60
ATTEMPT_OUTCOMES = [AttemptOutcome.NO_ANSWER, AttemptOutcome.VOICEMAIL, AttemptOutcome.WRONG_NUMBER]
ATTEMPT_CUM_WEIGHTS = [70, 95, 100]

# The customer's comments by how the visit went: happy, so-so, unhappy. An unhappy comment becomes the
# complaint's words, filed under the category (of the network's taxonomy) it names.
COMMENTS = {
    "es": {
        "happy": ["", "", "Todo muy bien, gracias.", "Excelente servicio, el auto quedó perfecto.",
                  "Me atendieron muy rápido y me explicaron todo.", "Muy amables en la recepción."],
        "so_so": ["", "Bien, aunque tardaron un poco más de lo prometido.",
                  "El servicio bien, pero nadie me explicó la factura.", "Regular, la sala de espera muy llena."],
        CallKind.SERVICE: [("El auto sigue haciendo el mismo ruido que antes del servicio.", "Falla repetida"),
                           ("Me lo entregaron tarde y sin avisarme; perdí la mañana.", "Tiempo de entrega"),
                           ("Me cobraron más de lo que me dijeron y nadie me explicó por qué.", "Cobro / factura"),
                           ("El auto salió sucio y con grasa en el volante.", "Limpieza y cuidado del vehículo"),
                           ("Se volvió a encender el testigo del motor al día siguiente.", "Falla repetida"),
                           ("Desde el servicio el auto tira aceite en la cochera.", "Trabajo mal realizado")],
        CallKind.SALES: [("No me explicaron cómo funciona nada en la entrega del auto nuevo.",
                          "Entrega de vehículo nuevo"),
                         ("Me entregaron el auto nuevo con un rayón en la puerta.", "Entrega de vehículo nuevo"),
                         ("Todavía no me entregan las placas ni la tarjeta de circulación.",
                          "Trámites y documentación"),
                         ("El vendedor me prometió los tapetes y no venían con el auto.",
                          "Promesa del asesor de ventas")],
    },
    "fi": {
        "happy": ["", "", "Kaikki hyvin, kiitos.", "Erinomaista palvelua, auto on kuin uusi.",
                  "Nopea ja ystävällinen palvelu."],
        "so_so": ["", "Ihan hyvä, mutta auto valmistui myöhemmin kuin luvattiin.",
                  "Lasku jäi vähän epäselväksi."],
        CallKind.SERVICE: [("Sama vika jatkuu huollon jälkeen.", "Falla repetida"),
                           ("Auto luovutettiin myöhässä eikä kukaan ilmoittanut.", "Tiempo de entrega"),
                           ("Laskutettiin enemmän kuin sovittiin.", "Cobro / factura"),
                           ("Auto oli likainen ja ratissa rasvaa.", "Limpieza y cuidado del vehículo")],
        CallKind.SALES: [("Uuden auton luovutuksessa mitään ei selitetty.", "Entrega de vehículo nuevo"),
                         ("Rekisteröintipaperit puuttuvat yhä.", "Trámites y documentación")],
    },
    "ms": {
        "happy": ["", "", "Semuanya baik, terima kasih.", "Servis sangat bagus, kereta macam baru.",
                  "Cepat dan mesra, semua diterangkan dengan jelas."],
        "so_so": ["", "Okey, tapi kereta siap lambat daripada yang dijanjikan.",
                  "Servis baik, tapi tiada siapa terangkan invois."],
        CallKind.SERVICE: [("Bunyi yang sama masih ada selepas servis.", "Falla repetida"),
                           ("Kereta siap lambat dan tiada siapa maklumkan; habis satu pagi saya.",
                            "Tiempo de entrega"),
                           ("Saya dicaj lebih daripada yang diberitahu dan tiada penjelasan.", "Cobro / factura"),
                           ("Kereta diserahkan kotor dan ada gris pada stereng.", "Limpieza y cuidado del vehículo")],
        CallKind.SALES: [("Semasa penyerahan kereta baharu, tiada siapa terangkan cara guna apa-apa.",
                          "Entrega de vehículo nuevo"),
                         ("Geran dan nombor pendaftaran masih belum siap.", "Trámites y documentación")],
    },
}
# The representative's steps on a complaint from a call: contact, confirmation, proposal, agreement, closing.
STEPS = {
    "es": {"contact": "Llamé al cliente para atender su queja de la llamada de seguimiento.",
           "confirm": "El cliente confirmó los hechos y lo que espera de nosotros.",
           "propose": "Revisión sin costo por el jefe de taller y corrección del trabajo.",
           "informed": "Gerente de servicio, jefe de taller",
           "agree": "Acepta traer el auto en la fecha acordada.",
           "implementing": "La representante lleva la solución hasta el final.",
           "implemented": "Solución implementada; esperamos la confirmación del cliente.",
           "satisfied": "Quedé conforme, gracias por el seguimiento."},
    "fi": {"contact": "Soitin asiakkaalle seurantapuhelun palautteen johdosta.",
           "confirm": "Asiakas vahvisti tapahtumat ja mitä odottaa meiltä.",
           "propose": "Korjaamopäällikkö tarkastaa auton maksutta ja korjaa työn.",
           "informed": "Huoltopäällikkö, korjaamopäällikkö",
           "agree": "Asiakas tuo auton sovittuna päivänä.",
           "implementing": "Asiakasvastaava vie ratkaisun loppuun.",
           "implemented": "Ratkaisu toteutettu; odotamme asiakkaan vahvistusta.",
           "satisfied": "Olen tyytyväinen, kiitos."},
    "ms": {"contact": "Saya menghubungi pelanggan berkenaan aduan daripada panggilan susulan.",
           "confirm": "Pelanggan mengesahkan apa yang berlaku dan apa yang diharapkan daripada kami.",
           "propose": "Ketua bengkel memeriksa kereta secara percuma dan membetulkan kerja.",
           "informed": "Pengurus servis, ketua bengkel",
           "agree": "Pelanggan setuju menghantar kereta pada tarikh yang dipersetujui.",
           "implementing": "Wakil pelanggan memastikan penyelesaian dilaksanakan sehingga selesai.",
           "implemented": "Penyelesaian telah dilaksanakan; menunggu pengesahan pelanggan.",
           "satisfied": "Saya berpuas hati, terima kasih atas susulan."},
}
# From confirmation to the customer's satisfied "yes", step by step (minutes, office hours): worked through
# within the reply limit, or with waits at each step.
IN_TIME_STEPS = ((30, 5 * 60), (20, 4 * 60), (10, 2 * 60), (60, 12 * 60), (30, 8 * 60))
SLOW_STEPS = ((60, 24 * 60), (30, 24 * 60), (10, 12 * 60), (24 * 60, 4 * 24 * 60), (60, 2 * 24 * 60))


def _at(day: date, minute: int, zone) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


def _language(customer: Customer) -> str:
    return customer.language if customer.language in STEPS else "es"


class _DealerCalls:
    """Simulates one dealer's follow-up calls; the rows stay unsaved until written in bulk."""

    def __init__(self, *, rng: random.Random, dealer: Dealer, now: datetime, rep_id: int | None,
                 owner_id: int | None, questionnaire: Questionnaire, promise_policy: PromisePolicy,
                 complaint_policy: ComplaintPolicy, categories: list[ComplaintCategory], profile: DealerProfile,
                 complaints: bool):
        self.rng, self.dealer, self.zone = rng, dealer, dealer.zone
        self.now = now.astimezone(self.zone)
        self.today, self.now_minute = self.now.date(), self.now.hour * 60 + self.now.minute
        self.rep_id, self.owner_id, self.questionnaire = rep_id, owner_id, questionnaire
        self.promise_policy, self.complaint_policy = promise_policy, complaint_policy
        # The customers' words name a category by its shipped Spanish name, whatever the network's language.
        self.category_by_name = {shipped_category_name(category.name, "es"): category for category in categories}
        self.categories_by_department: dict[str, list[ComplaintCategory]] = defaultdict(list)
        for category in categories:
            self.categories_by_department[department_of_area(category.parent.name)].append(category)
        self.with_complaints = complaints
        self.quality = rng.uniform(0.55, 0.97)
        self.p_reach = 0.6 + 0.3 * (self.quality - 0.55) / 0.42  # reached inside the window: 60–90 %
        # Complaints owed per delivered service job; paid out at the reached calls, service or sales.
        self.unhappy = Quota(rng, profile.from_calls_per_100_jobs / 100)
        self.in_time = profile.in_time
        self.calls: list[FollowUpCall] = []
        self.attempts: list[CallAttempt] = []  # each attempt's call is set; its id after the insert
        self.answers: list[CallAnswer] = []
        self.complaints: list[Complaint] = []
        self.entries: list[TimelineEntry] = []
        self.proposals: list[SolutionProposal] = []

    # --- time -----------------------------------------------------------------------------------
    def _moments(self, first: date, last: date, count: int, *, low: int = CALL_FROM,
                 high: int = CALL_UNTIL) -> list[datetime]:
        """``count`` sorted moments on the local days ``first``–``last`` between the minutes ``low`` and ``high``,
        never after "now" (none if "now" leaves no room)."""
        today_top = min(high, self.now_minute - 1)
        last = min(last, self.today if today_top >= low else self.today - timedelta(days=1))
        if last < first:
            return []
        days = (last - first).days
        moments = []
        for _index in range(count):
            day = first + timedelta(days=self.rng.randint(0, days))
            top = today_top if day == self.today else high
            moments.append(_at(day, self.rng.randint(low, top), self.zone))
        return sorted(moments)

    def _office_after(self, moment: datetime, low_minutes: int, high_minutes: int) -> datetime:
        later = (moment + timedelta(minutes=self.rng.randint(low_minutes, high_minutes))).astimezone(self.zone)
        minute = later.hour * 60 + later.minute
        if minute < CALL_FROM:
            return _at(later.date(), CALL_FROM + self.rng.randint(0, 90), self.zone)
        if minute >= CALL_UNTIL:
            return _at(later.date() + timedelta(days=1), CALL_FROM + self.rng.randint(0, 90), self.zone)
        return later

    # --- simulation -----------------------------------------------------------------------------
    def call(self, *, kind: str, customer: Customer, vehicle_id: int | None, delivered_at: datetime,
             job_id: int | None = None, handover_id: int | None = None) -> None:
        rng = self.rng
        window = call_window(delivered_at, self.zone, first_day=self.promise_policy.followup_first_day,
                             last_day=self.promise_policy.followup_last_day)
        # Built as the services build every call, so the customer's contact consent applies the same way.
        call = followup_call_new(kind=kind, customer=customer, delivered_at=delivered_at, window=window,
                                 dealer_id=self.dealer.pk, vehicle_id=vehicle_id, service_job_id=job_id,
                                 sales_handover_id=handover_id)
        start, end = window
        self.calls.append(call)
        if kind == CallKind.SERVICE:
            self.unhappy.accrue()
        if call.status == CallStatus.NOT_CONTACTED:
            return
        if end >= self.today:  # still to be made: some tried already, a few asked to be called back
            if start <= self.today and rng.random() < 0.35:
                moments = self._moments(start, self.today, rng.randint(1, 2))
                for number, moment in enumerate(moments):
                    callback = None
                    if number == len(moments) - 1 and rng.random() < 0.5:
                        callback = self._office_after(max(moment, self.now), 60, 26 * 60)
                    self._attempt(call, moment, AttemptOutcome.CALL_BACK if callback else None, callback)
            return
        tries = 0 if rng.random() < self.quality else rng.randint(1, 2)
        if rng.random() < self.p_reach:
            online = rng.random() < 0.06
            moments = self._moments(start, end, tries + 1, low=ONLINE_FROM if online else CALL_FROM,
                                    high=ONLINE_UNTIL if online else CALL_UNTIL)
            for moment in moments[:-1]:
                self._attempt(call, moment)
            self._answer(call, moments[-1], online=online, customer=customer)
        else:
            for moment in self._moments(start, end, rng.randint(0, 3)):
                self._attempt(call, moment)
            call.status = CallStatus.MISSED

    def _attempt(self, call: FollowUpCall, at: datetime, outcome: str | None = None,
                 callback_at: datetime | None = None) -> None:
        outcome = outcome or self.rng.choices(ATTEMPT_OUTCOMES, cum_weights=ATTEMPT_CUM_WEIGHTS)[0]
        self.attempts.append(CallAttempt(dealer_id=self.dealer.pk, call=call, outcome=outcome, at=at,
                                         by_id=self.rep_id, callback_at=callback_at))
        call.status, call.callback_at = CallStatus.ATTEMPTED, callback_at
        call.representative_id = call.representative_id or self.rep_id

    def _answer(self, call: FollowUpCall, at: datetime, *, online: bool, customer: Customer) -> None:
        rng, q = self.rng, self.quality
        if self.with_complaints and self.unhappy.take():
            overall, work_done_right = (rng.choice([1, 2, 2]), rng.random() < 0.4) if rng.random() < 0.7 \
                else (3, False)
        else:
            overall, work_done_right = rng.choices([3, 4, 5], weights=[0.4 * (1 - q) + 0.05, 1.0, 2.5 * q])[0], True
        # What counts as dissatisfied is the network's questionnaire: its rule decides, not the draw above.
        dissatisfied = self.questionnaire.is_dissatisfied(overall=overall, work_done_right=work_done_right)
        if dissatisfied and not self.with_complaints:  # a network the demo invents no complaints for
            overall, work_done_right, dissatisfied = rng.randint(4, 5), True, False
        language, category_name = _language(customer), None
        if dissatisfied:
            comments, category_name = rng.choice(COMMENTS[language][call.kind])
        else:
            comments = rng.choice(COMMENTS[language]["happy" if overall >= 4 else "so_so"])
        recorded_by = None if online else self.rep_id
        answer = CallAnswer(
            dealer_id=self.dealer.pk, call=call, overall=overall, work_done_right=work_done_right,
            ready_when_promised=rng.random() < q, would_recommend=rng.random() < {5: 0.97, 4: 0.85, 3: 0.45}.get(
                overall, 0.1), comments=comments, answered_at=at, via="online" if online else "call",
            recorded_by_id=recorded_by, dissatisfied=dissatisfied)
        self.answers.append(answer)
        call.mark_reached(at=at, zone=self.zone)
        call.representative_id = call.representative_id or recorded_by
        if dissatisfied:
            answer.complaint = self._complaint(call, words=comments, category_name=category_name, received=at,
                                               logged_by=recorded_by, customer=customer)

    def _category(self, name: str | None, department: str) -> ComplaintCategory | None:
        """The category the customer's words name, if the network has it; else its department's first one."""
        category = self.category_by_name.get(name)
        if category is not None and department_of_area(category.parent.name) == department:
            return category
        return next(iter(self.categories_by_department.get(department, [])), None)

    def _complaint(self, call: FollowUpCall, *, words: str, category_name: str | None, received: datetime,
                   logged_by: int | None, customer: Customer) -> Complaint:
        """The complaint a dissatisfied answer opens, worked on as far as the time since allows."""
        rng, steps, rep, now = self.rng, STEPS[_language(customer)], self.rep_id, self.now
        department = "service" if call.kind == CallKind.SERVICE else "sales"
        category = self._category(category_name, department)
        complaint = Complaint(
            dealer_id=self.dealer.pk, customer_id=call.customer_id, vehicle_id=call.vehicle_id,
            service_job_id=call.service_job_id, department=department, category=category,
            channel=Channel.FOLLOW_UP_CALL, words=words, received_at=received, logged_by_id=logged_by,
            representative_id=rep, state=ComplaintState.NEW)
        entries = [TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=EntryKind.STATE,
                                 author_id=logged_by, at=received, channel=Channel.FOLLOW_UP_CALL, body=words,
                                 to_state=ComplaintState.NEW)]

        def move(at: datetime, to_state: str, body: str) -> None:
            entries.append(TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=EntryKind.STATE,
                                         author_id=rep, at=at, body=body, from_state=complaint.state,
                                         to_state=to_state))
            complaint.state = to_state

        fast = self.in_time.draw()
        contact = self._office_after(received, 20, 4 * 60 if fast else 6 * 60)
        confirmed = contact + timedelta(minutes=rng.randint(3, 15))
        path = [confirmed]
        for low, high in IN_TIME_STEPS if fast else SLOW_STEPS:
            path.append(self._office_after(path[-1], low, high))
        if not fast:  # worked through, but the customer's "yes" comes after the reply limit
            late = received + timedelta(hours=self.complaint_policy.reply_limit_hours,
                                        minutes=rng.randint(60, 3 * 24 * 60))
            path[-1] = max(path[-1], self._office_after(late, 0, 0))
        confirmed, proposed, agreed, owned, implemented, satisfied = path
        closed = satisfied + timedelta(minutes=2)
        # Each step is recorded if it has happened by "now": the recent complaints are still being worked.
        if confirmed <= now:
            entries.append(TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=EntryKind.CONTACT,
                                         author_id=rep, at=contact, channel=Channel.PHONE, body=steps["contact"]))
            complaint.first_contact_at = contact
            move(confirmed, ComplaintState.CONFIRMED, steps["confirm"])
            complaint.confirmed_at = confirmed
        if proposed <= now and self.owner_id:
            self.proposals.append(SolutionProposal(
                dealer_id=self.dealer.pk, complaint=complaint, text=steps["propose"], informed=steps["informed"],
                proposed_by_id=rep, proposed_at=proposed, agreed=agreed <= now,
                agreement=steps["agree"] if agreed <= now else ""))
            move(proposed, ComplaintState.PROPOSED, steps["propose"])
            if agreed <= now:
                move(agreed, ComplaintState.AGREED, steps["agree"])
                complaint.agreed_at = agreed
            if owned <= now:
                complaint.owner_id = self.owner_id
                move(owned, ComplaintState.IMPLEMENTING, steps["implementing"])
            if implemented <= now:
                move(implemented, ComplaintState.AWAITING_CONFIRMATION, steps["implemented"])
            if closed <= now:
                entries.append(TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=EntryKind.CONTACT,
                                             author_id=rep, at=satisfied, channel=Channel.PHONE,
                                             body=steps["satisfied"]))
                move(closed, ComplaintState.CLOSED_SATISFIED, steps["satisfied"])
                complaint.closed_at, complaint.satisfaction_words = closed, steps["satisfied"]
                complaint.satisfaction_channel = Channel.PHONE
                complaint.satisfaction_confirmed_by = customer.name
        if complaint.state != ComplaintState.CLOSED_SATISFIED:
            self.in_time.void(took=fast)  # not closed by "now": it does not count yet
        elif fast and not closed_in_time(complaint, self.complaint_policy):
            self.in_time.refund()
        self.complaints.append(complaint)
        self.entries += entries
        return complaint


def demo_calls_build(*, rng: random.Random, dealers: list[Dealer], customers_by_dealer: dict[int, list[Customer]],
                     today: date | None = None, now: datetime | None = None,
                     staff_by_dealer: dict[int, dict[str, list]] | None = None,
                     complaints_for: set[int] | None = None, profiles: dict[int, DealerProfile] | None = None) -> int:
    """Build the follow-up call of every delivered service job and new-car handover of ``dealers`` up to ``now``
    (see ``demo_now``), with attempts, answers and the complaints of dissatisfied answers, then rewrite those
    jobs' promise 9; returns the call count. Dissatisfied answers (and their complaints) are simulated only for
    the dealers in ``complaints_for`` (default: all), so a network without invented complaints keeps none; how
    many is each dealer's profile (drawn here if ``profiles`` has none). Only ``dealers``' rows are read and
    rewritten (their delivered jobs' promise 9 is replaced), so chunks of a network can go one after another.
    ``staff_by_dealer`` maps a dealer id to
    {role: [users]} (the first representative calls).

    Side effects: bulk-inserts FollowUpCall, CallAttempt, CallAnswer, Complaint, TimelineEntry and
    SolutionProposal rows, replaces the delivered jobs' promise-9 checks; must run inside ``unscoped()``.
    """
    if not dealers:
        return 0
    now = demo_now(now=now, today=today, zone=dealers[0].zone if dealers else timezone.get_current_timezone())
    staff_by_dealer, profiles = staff_by_dealer or {}, profiles or {}
    network_ids = sorted({dealer.network_id for dealer in dealers})
    dealer_ids = sorted(dealer.pk for dealer in dealers)
    networks = {network_id: Network(pk=network_id) for network_id in network_ids}
    promise_policies = {pk: PromisePolicy.objects.for_network(network) for pk, network in networks.items()}
    complaint_policies = {pk: ComplaintPolicy.objects.for_network(network) for pk, network in networks.items()}
    categories: dict[int, list[ComplaintCategory]] = defaultdict(list)
    for category in (ComplaintCategory.objects.filter(network_id__in=network_ids, parent__isnull=False,
                                                      is_active=True)
                     .select_related("parent").order_by("network_id", "parent__name", "name", "pk")):
        categories[category.network_id].append(category)
    deliveries: dict[int, list[tuple]] = defaultdict(list)  # dealer id → (delivered, kind, id, customer, vehicle)
    arrivals: dict[int, datetime | None] = {}  # job id → arrived at, which its promise 9 check carries
    for pk, dealer_id, customer_id, vehicle_id, delivered_at, arrived_at in (
            ServiceJob.objects.filter(dealer_id__in=dealer_ids, status=JobStatus.DELIVERED)
            .values_list("pk", "dealer_id", "customer_id", "vehicle_id", "delivered_at", "arrived_at")):
        deliveries[dealer_id].append((delivered_at, CallKind.SERVICE, pk, customer_id, vehicle_id))
        arrivals[pk] = arrived_at
    for pk, dealer_id, customer_id, vehicle_id, delivered_at in (
            SalesHandover.objects.filter(dealer_id__in=dealer_ids)
            .values_list("pk", "dealer_id", "customer_id", "vehicle_id", "delivered_at")):
        deliveries[dealer_id].append((delivered_at, CallKind.SALES, pk, customer_id, vehicle_id))
    questionnaires = {pk: Questionnaire.objects.for_network(network) for pk, network in networks.items()}
    existing: dict[int, list[Complaint]] = defaultdict(list)
    for pk, dealer_id, received_at, reference in (Complaint.objects.filter(dealer_id__in=dealer_ids)
                                                  .values_list("pk", "dealer_id", "received_at", "reference")):
        existing[dealer_id].append(Complaint(pk=pk, dealer_id=dealer_id, received_at=received_at,
                                             reference=reference))

    histories: list[_DealerCalls] = []
    for dealer in dealers:
        staff = staff_by_dealer.get(dealer.pk, {})
        reps = staff.get(Role.CUSTOMER_REPRESENTATIVE, [])
        owners = reps + staff.get(Role.SERVICE_ADVISOR, []) + staff.get(Role.DEALER_MANAGER, [])
        history = _DealerCalls(rng=rng, dealer=dealer, now=now, rep_id=reps[0].pk if reps else None,
                               owner_id=owners[0].pk if owners else None,
                               questionnaire=questionnaires[dealer.network_id],
                               promise_policy=promise_policies[dealer.network_id],
                               complaint_policy=complaint_policies[dealer.network_id],
                               categories=categories[dealer.network_id],
                               profile=profiles.get(dealer.pk) or dealer_profile_draw(rng),
                               complaints=complaints_for is None or dealer.pk in complaints_for)
        customer_by_id = {customer.pk: customer for customer in customers_by_dealer.get(dealer.pk, [])}
        for delivered_at, kind, pk, customer_id, vehicle_id in sorted(deliveries.get(dealer.pk, [])):
            history.call(kind=kind, customer=customer_by_id[customer_id], vehicle_id=vehicle_id,
                         delivered_at=delivered_at, job_id=pk if kind == CallKind.SERVICE else None,
                         handover_id=pk if kind == CallKind.SALES else None)
        # A complaint is numbered when it is logged: the call's complaints take their place among the others.
        merged = sorted([(row.received_at, 0, row.pk, row) for row in existing.get(dealer.pk, [])]
                        + [(row.received_at, 1, index, row) for index, row in enumerate(history.complaints)],
                        key=lambda item: item[:3])
        for sequence, (received_at, _new, _key, complaint) in enumerate(merged, start=1):
            year = local_date(received_at, history.zone).year
            complaint.sequence, complaint.reference = sequence, f"{dealer.code}-{year}-{sequence:04d}"
        histories.append(history)

    # Every row final when written (ids first, so rows pointing to each other go in one pass): a call was
    # scheduled at delivery, a complaint came in with the answer and was updated at its last step.
    calls = [call for history in histories for call in history.calls]
    for call in calls:
        call.created_at = call.delivered_at
    IdBlock(FollowUpCall).assign(calls)
    attempts = [attempt for history in histories for attempt in history.attempts]
    for attempt in attempts:
        attempt.call_id = attempt.call.pk
    complaints = [complaint for history in histories for complaint in history.complaints]
    for complaint in complaints:
        complaint.created_at = complaint.received_at
        complaint.updated_at = (complaint.closed_at or complaint.agreed_at or complaint.confirmed_at
                                or complaint.first_contact_at or complaint.received_at)
    IdBlock(Complaint).assign(complaints)
    entries = [entry for history in histories for entry in history.entries]
    proposals = [proposal for history in histories for proposal in history.proposals]
    for row in (*entries, *proposals):
        row.complaint_id = row.complaint.pk
    answers = [answer for history in histories for answer in history.answers]
    for answer in answers:
        answer.call_id = answer.call.pk
        answer.complaint_id = answer.complaint.pk if answer.complaint is not None else None
    renumbered = [row for rows in existing.values() for row in rows]
    if complaints and renumbered:
        # Out of the way first (numbers and references are unique per dealer), then the final ones.
        Complaint.objects.filter(dealer_id__in=dealer_ids).update(
            sequence=F("sequence") + 1_000_000, reference=Concat(F("reference"), Value("~")))
        Complaint.objects.bulk_update(renumbered, ["sequence", "reference"], batch_size=BATCH_SIZE)

    # Promise 9 of every delivered job, worded by its call as the services word it: the evaluated rows are
    # replaced (one delete, then the new rows).
    checks = []
    for history in histories:
        for call in history.calls:
            if call.service_job_id is not None:
                outcome = call.promise_outcome(zone=history.zone)
                checks.append(PromiseCheck(dealer_id=call.dealer_id, job_id=call.service_job_id, number=9,
                                           status=str(outcome.status), reason_key=outcome.why.key,
                                           reason_params=outcome.why.params, reason=outcome.reason[:300],
                                           evaluated_at=now, job_arrived_at=arrivals.get(call.service_job_id)))
    PromiseCheck.objects.filter(dealer_id__in=dealer_ids, number=9, job__status=JobStatus.DELIVERED).delete()
    for model, rows in ((FollowUpCall, calls), (CallAttempt, attempts), (Complaint, complaints),
                        (TimelineEntry, entries), (SolutionProposal, proposals), (CallAnswer, answers),
                        (PromiseCheck, checks)):
        IdBlock(model).assign(rows)
        write_rows(model, rows)
    return len(calls)
