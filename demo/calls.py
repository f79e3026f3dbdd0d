"""The demo's follow-up calls: one per delivered service job and new-car handover, 3–5 days after delivery.

Each dealer draws a *quality* that decides how often its representative reaches the customer inside the
window; calls whose window is over by the demo's "now" (``today`` at 11:30, as the service history) are
reached or missed, the rest are still to be made. Reached calls carry the customer's answers, and a
dissatisfied answer opens its complaint (channel "follow-up call"), as ``call_answers_record`` would.
Service promise 9 of every delivered job is then rewritten from its call. Everything is built in memory
and written with bulk inserts; the same ``rng`` and ``today`` give the same rows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import gettext as _

from complaints.models import Channel, Complaint, ComplaintState, EntryKind, SolutionProposal, TimelineEntry
from dealer_portal.tenancy.models import Role
from followups.models import AttemptOutcome, CallAnswer, CallAttempt, CallKind, CallStatus, FollowUpCall, Questionnaire
from followups.rules import followup_outcome
from followups.scheduling import call_window
from servicejobs.models import JobStatus, PromiseCheck, SalesHandover, ServiceJob

if TYPE_CHECKING:
    from customers.models import Customer
    from dealer_portal.tenancy.models import Dealer

BATCH_SIZE = 2000
FIRST_DAY, LAST_DAY = 3, 5  # the network's default window (PromisePolicy.followup_first_day / _last_day)
NOW = time(11, 30)  # the demo's "now" on its today, as in demo.jobs
CALL_FROM, CALL_UNTIL = 9 * 60, 18 * 60 + 30  # when representatives phone customers
ONLINE_FROM, ONLINE_UNTIL = 7 * 60, 23 * 60
ATTEMPT_OUTCOMES = [AttemptOutcome.NO_ANSWER, AttemptOutcome.VOICEMAIL, AttemptOutcome.WRONG_NUMBER]
ATTEMPT_CUM_WEIGHTS = [70, 95, 100]

# The customer's comments by how the visit went: happy, so-so, unhappy (the unhappy ones become complaints).
COMMENTS = {
    "es": {
        "happy": ["", "", "Todo muy bien, gracias.", "Excelente servicio, el auto quedó perfecto.",
                  "Me atendieron muy rápido y me explicaron todo.", "Muy amables en la recepción."],
        "so_so": ["", "Bien, aunque tardaron un poco más de lo prometido.",
                  "El servicio bien, pero nadie me explicó la factura.", "Regular, la sala de espera muy llena."],
        "unhappy": ["El auto sigue haciendo el mismo ruido que antes del servicio.",
                    "Me lo entregaron tarde y sin avisarme; perdí la mañana.",
                    "Me cobraron más de lo que me dijeron y nadie me explicó por qué.",
                    "El auto salió sucio y con grasa en el volante.",
                    "Se volvió a encender el testigo del motor al día siguiente.",
                    "No me explicaron cómo funciona nada en la entrega del auto nuevo."],
    },
    "fi": {
        "happy": ["", "", "Kaikki hyvin, kiitos.", "Erinomaista palvelua, auto on kuin uusi.",
                  "Nopea ja ystävällinen palvelu."],
        "so_so": ["", "Ihan hyvä, mutta auto valmistui myöhemmin kuin luvattiin.",
                  "Lasku jäi vähän epäselväksi."],
        "unhappy": ["Sama vika jatkuu huollon jälkeen.", "Auto luovutettiin myöhässä eikä kukaan ilmoittanut.",
                    "Laskutettiin enemmän kuin sovittiin.", "Auto oli likainen ja ratissa rasvaa."],
    },
}
# The representative's first steps on a complaint from a call: contact, confirmation, proposal, agreement.
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
}


def _at(day: date, minute: int, zone) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


def _language(customer: Customer) -> str:
    return "fi" if customer.language == "fi" else "es"


def _promise_nine(call: FollowUpCall, zone) -> tuple[str, str]:
    """Service promise 9 from the call, as ``followups.rules.followup_outcome`` words it."""
    outcome = followup_outcome(call, zone=zone)
    return str(outcome.status), outcome.reason


class _DealerCalls:
    """Simulates one dealer's follow-up calls; the rows stay unsaved until written in bulk."""

    def __init__(self, *, rng: random.Random, dealer: Dealer, today: date, rep_id: int | None,
                 owner_id: int | None, questionnaire: Questionnaire, complaints: bool):
        self.rng, self.dealer, self.zone, self.today = rng, dealer, dealer.zone, today
        self.now = datetime.combine(today, NOW, tzinfo=self.zone)
        self.rep_id, self.owner_id, self.questionnaire = rep_id, owner_id, questionnaire
        self.with_complaints = complaints
        self.quality = rng.uniform(0.55, 0.97)
        self.p_reach = 0.6 + 0.3 * (self.quality - 0.55) / 0.42  # reached inside the window: 60–90 %
        self.calls: list[FollowUpCall] = []
        self.attempts: list[CallAttempt] = []  # each attempt's call is set; its id after the insert
        self.answers: list[CallAnswer] = []
        self.complaints: list[Complaint] = []
        self.entries: list[TimelineEntry] = []
        self.proposals: list[SolutionProposal] = []

    # --- time -----------------------------------------------------------------------------------
    def _moments(self, first: date, last: date, count: int, *, low: int = CALL_FROM,
                 high: int = CALL_UNTIL) -> list[datetime]:
        """``count`` sorted moments on the local days ``first``–``last``, never after "now"."""
        days = (last - first).days
        moments = []
        for _index in range(count):
            day = first + timedelta(days=self.rng.randint(0, days))
            top = min(high, NOW.hour * 60 + NOW.minute - 1) if day == self.today else high
            moments.append(_at(day, self.rng.randint(low, max(low, top)), self.zone))
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
        start, end = call_window(delivered_at, self.zone, first_day=FIRST_DAY, last_day=LAST_DAY)
        call = FollowUpCall(dealer_id=self.dealer.pk, kind=kind, customer_id=customer.pk, vehicle_id=vehicle_id,
                            service_job_id=job_id, sales_handover_id=handover_id, delivered_at=delivered_at,
                            window_start=start, window_end=end)
        self.calls.append(call)
        if customer.do_not_contact or not customer.contact_consent:
            call.status = CallStatus.NOT_CONTACTED
            call.not_contacted_reason = (customer.do_not_contact_reason or _("The customer asked not to be contacted.")
                                         if customer.do_not_contact
                                         else _("The customer gave no consent to be contacted."))
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
        weights = [1 - q, 2 * (1 - q), 1.5 * (1 - q) + 0.3, 1.0, 2 * q]
        overall = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
        work_done_right = rng.random() < (min(0.99, q + 0.1) if overall >= 3 else q - 0.3)
        dissatisfied = self.questionnaire.is_dissatisfied(overall=overall, work_done_right=work_done_right)
        if dissatisfied and not self.with_complaints:  # a network the demo invents no complaints for
            overall, work_done_right, dissatisfied = rng.randint(4, 5), True, False
        mood = "unhappy" if dissatisfied else "happy" if overall >= 4 else "so_so"
        recorded_by = None if online else self.rep_id
        answer = CallAnswer(
            dealer_id=self.dealer.pk, call=call, overall=overall, work_done_right=work_done_right,
            ready_when_promised=rng.random() < q, would_recommend=rng.random() < {5: 0.97, 4: 0.85, 3: 0.45}.get(
                overall, 0.1), comments=rng.choice(COMMENTS[_language(customer)][mood]), answered_at=at,
            via="online" if online else "call", recorded_by_id=recorded_by, dissatisfied=dissatisfied)
        self.answers.append(answer)
        call.status, call.reached_at, call.callback_at = CallStatus.REACHED, at, None
        call.representative_id = call.representative_id or recorded_by
        if dissatisfied:
            words = answer.comments or _("Dissatisfied in the follow-up call: overall %(score)s of 5.") % {
                "score": overall}
            answer.complaint = self._complaint(call, words=words, received=at, logged_by=recorded_by,
                                               customer=customer)

    def _complaint(self, call: FollowUpCall, *, words: str, received: datetime, logged_by: int | None,
                   customer: Customer) -> Complaint:
        """The complaint a dissatisfied answer opens, worked on as far as the time since allows."""
        rng, steps, rep = self.rng, STEPS[_language(customer)], self.rep_id
        complaint = Complaint(
            dealer_id=self.dealer.pk, customer_id=call.customer_id, vehicle_id=call.vehicle_id,
            service_job_id=call.service_job_id,
            department="service" if call.kind == CallKind.SERVICE else "sales", channel=Channel.FOLLOW_UP_CALL,
            words=words, received_at=received, logged_by_id=logged_by, representative_id=rep,
            state=ComplaintState.NEW)
        entries = [TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=EntryKind.STATE,
                                 author_id=logged_by, at=received, channel=Channel.FOLLOW_UP_CALL, body=words,
                                 to_state=ComplaintState.NEW)]

        def move(at: datetime, to_state: str, body: str) -> None:
            entries.append(TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=EntryKind.STATE,
                                         author_id=rep, at=at, body=body, from_state=complaint.state,
                                         to_state=to_state))
            complaint.state = to_state

        contact = self._office_after(received, 20, 6 * 60)
        confirmed = contact + timedelta(minutes=rng.randint(3, 15))
        if confirmed <= self.now:
            entries.append(TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=EntryKind.CONTACT,
                                         author_id=rep, at=contact, channel=Channel.PHONE, body=steps["contact"]))
            complaint.first_contact_at = contact
            move(confirmed, ComplaintState.CONFIRMED, steps["confirm"])
            complaint.confirmed_at = confirmed
            # Worked through to the customer's confirmation when there was time; otherwise still confirmed.
            path = [self._office_after(confirmed, 60, 24 * 60)]
            for low, high in ((30, 24 * 60), (10, 12 * 60), (24 * 60, 4 * 24 * 60), (60, 2 * 24 * 60)):
                path.append(self._office_after(path[-1], low, high))
            if path[-1] + timedelta(minutes=2) <= self.now and self.owner_id and rng.random() < 0.85:
                proposed, agreed, owned, implemented, satisfied = path
                self.proposals.append(SolutionProposal(
                    dealer_id=self.dealer.pk, complaint=complaint, text=steps["propose"], informed=steps["informed"],
                    proposed_by_id=rep, proposed_at=proposed, agreed=True, agreement=steps["agree"]))
                move(proposed, ComplaintState.PROPOSED, steps["propose"])
                move(agreed, ComplaintState.AGREED, steps["agree"])
                complaint.agreed_at, complaint.owner_id = agreed, self.owner_id
                move(owned, ComplaintState.IMPLEMENTING, steps["implementing"])
                move(implemented, ComplaintState.AWAITING_CONFIRMATION, steps["implemented"])
                entries.append(TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=EntryKind.CONTACT,
                                             author_id=rep, at=satisfied, channel=Channel.PHONE,
                                             body=steps["satisfied"]))
                closed = satisfied + timedelta(minutes=2)
                move(closed, ComplaintState.CLOSED_SATISFIED, steps["satisfied"])
                complaint.closed_at, complaint.satisfaction_words = closed, steps["satisfied"]
                complaint.satisfaction_channel = Channel.PHONE
                complaint.satisfaction_confirmed_by = customer.name
        self.complaints.append(complaint)
        self.entries += entries
        return complaint


def demo_calls_build(*, rng: random.Random, dealers: list[Dealer], today: date,
                     customers_by_dealer: dict[int, list[Customer]],
                     staff_by_dealer: dict[int, dict[str, list]] | None = None,
                     complaints_for: set[int] | None = None) -> int:
    """Build the follow-up call of every delivered service job and new-car handover of ``dealers``, with
    attempts, answers and the complaints of dissatisfied answers, then rewrite those jobs' promise 9; returns
    the call count. Dissatisfied answers (and their complaints) are simulated only for the dealers in
    ``complaints_for`` (default: all), so a network without invented complaints keeps none. ``dealers`` are
    all the dealers of their networks (their delivered jobs' promise 9 is replaced). ``staff_by_dealer`` maps
    a dealer id to {role: [users]} (the first representative calls).

    Side effects: bulk-inserts FollowUpCall, CallAttempt, CallAnswer, Complaint, TimelineEntry and
    SolutionProposal rows, replaces the delivered jobs' promise-9 checks; must run inside ``unscoped()``.
    """
    if not dealers:
        return 0
    staff_by_dealer = staff_by_dealer or {}
    network_ids = sorted({dealer.network_id for dealer in dealers})
    deliveries: dict[int, list[tuple]] = defaultdict(list)  # dealer id → (delivered, kind, id, customer, vehicle)
    for pk, dealer_id, customer_id, vehicle_id, delivered_at in (
            ServiceJob.objects.filter(dealer__network_id__in=network_ids, status=JobStatus.DELIVERED)
            .values_list("pk", "dealer_id", "customer_id", "vehicle_id", "delivered_at")):
        deliveries[dealer_id].append((delivered_at, CallKind.SERVICE, pk, customer_id, vehicle_id))
    for pk, dealer_id, customer_id, vehicle_id, delivered_at in (
            SalesHandover.objects.filter(dealer__network_id__in=network_ids)
            .values_list("pk", "dealer_id", "customer_id", "vehicle_id", "delivered_at")):
        deliveries[dealer_id].append((delivered_at, CallKind.SALES, pk, customer_id, vehicle_id))
    questionnaires = {q.network_id: q for q in Questionnaire.objects.filter(network_id__in=network_ids)}
    existing: dict[int, list[Complaint]] = defaultdict(list)
    for pk, dealer_id, received_at, reference in (Complaint.objects.filter(dealer__network_id__in=network_ids)
                                                  .values_list("pk", "dealer_id", "received_at", "reference")):
        existing[dealer_id].append(Complaint(pk=pk, dealer_id=dealer_id, received_at=received_at,
                                             reference=reference))

    histories: list[_DealerCalls] = []
    for dealer in dealers:
        staff = staff_by_dealer.get(dealer.pk, {})
        reps = staff.get(Role.CUSTOMER_REPRESENTATIVE, [])
        owners = reps + staff.get(Role.SERVICE_ADVISOR, []) + staff.get(Role.DEALER_MANAGER, [])
        history = _DealerCalls(rng=rng, dealer=dealer, today=today, rep_id=reps[0].pk if reps else None,
                               owner_id=owners[0].pk if owners else None,
                               questionnaire=questionnaires.get(dealer.network_id)
                               or Questionnaire(network_id=dealer.network_id),
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
            year = received_at.astimezone(history.zone).year
            complaint.sequence, complaint.reference = sequence, f"{dealer.code}-{year}-{sequence:04d}"
        histories.append(history)

    calls = [call for history in histories for call in history.calls]
    FollowUpCall.objects.bulk_create(calls, batch_size=BATCH_SIZE)
    attempts = [attempt for history in histories for attempt in history.attempts]
    for attempt in attempts:
        attempt.call_id = attempt.call.pk
    CallAttempt.objects.bulk_create(attempts, batch_size=BATCH_SIZE)
    complaints = [complaint for history in histories for complaint in history.complaints]
    renumbered = [row for rows in existing.values() for row in rows]
    if complaints and renumbered:
        # Out of the way first (numbers and references are unique per dealer), then the final ones.
        Complaint.objects.filter(dealer__network_id__in=network_ids).update(
            sequence=F("sequence") + 1_000_000, reference=Concat(F("reference"), Value("~")))
        Complaint.objects.bulk_update(renumbered, ["sequence", "reference"], batch_size=BATCH_SIZE)
    Complaint.objects.bulk_create(complaints, batch_size=BATCH_SIZE)
    entries = [entry for history in histories for entry in history.entries]
    proposals = [proposal for history in histories for proposal in history.proposals]
    for row in (*entries, *proposals):
        row.complaint_id = row.complaint.pk
    TimelineEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    SolutionProposal.objects.bulk_create(proposals, batch_size=BATCH_SIZE)
    answers = [answer for history in histories for answer in history.answers]
    for answer in answers:
        answer.call_id = answer.call.pk
        answer.complaint_id = answer.complaint.pk if answer.complaint is not None else None
    CallAnswer.objects.bulk_create(answers, batch_size=BATCH_SIZE)

    # Promise 9 of every delivered job, from its call: the evaluated rows are replaced in two statements.
    checks = []
    for history in histories:
        for call in history.calls:
            if call.service_job_id is not None:
                status, reason = _promise_nine(call, history.zone)
                checks.append(PromiseCheck(dealer_id=call.dealer_id, job_id=call.service_job_id, number=9,
                                           status=str(status), reason=reason[:300], evaluated_at=history.now))
    PromiseCheck.objects.filter(dealer__network_id__in=network_ids, number=9, job__status=JobStatus.DELIVERED).delete()
    PromiseCheck.objects.bulk_create(checks, batch_size=BATCH_SIZE)

    # auto_now_add stamped the insert time: calls were scheduled at delivery, complaints came in with the answer.
    if calls:
        pks = [call.pk for call in calls]
        FollowUpCall.objects.filter(pk__range=(min(pks), max(pks)), dealer__network_id__in=network_ids).update(
            created_at=F("delivered_at"))
    if complaints:
        pks = [complaint.pk for complaint in complaints]
        Complaint.objects.filter(pk__range=(min(pks), max(pks)), dealer__network_id__in=network_ids).update(
            created_at=F("received_at"),
            updated_at=Coalesce("closed_at", "agreed_at", "confirmed_at", "first_contact_at", "received_at"))
    return len(calls)
