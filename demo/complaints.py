"""The demo's complaint recovery: months of complaints per dealer in every state, their timelines,
proposals, and the compliments dealers receive.

Every dealer has its own two or three recurring categories, so each dealer's Pareto of complaints is
different, and its own profile (``demo.profiles``): how many complaints its deliveries bring and how many
of them it closes within the reply limit. Each complaint is simulated step by step (logged, contacted,
confirmed, proposed, agreed, owner named, on hold, implemented, closed, reopened) in the dealer's local
time and cut at the demo's "now", so the recent ones are still open. Everything is built in memory and
written with bulk inserts; the same ``rng`` and "now" give the same rows.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from complaints.models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    ComplaintState,
    Compliment,
    Department,
    EntryKind,
    HoldCause,
    Severity,
    SolutionProposal,
    TimelineEntry,
)
from complaints.rules import reply_due
from complaints.services.taxonomy import department_of_area
from dealer_portal.tenancy.calendar import local_date
from dealer_portal.tenancy.models import Network, Role

from .bulk import IdBlock, write_rows
from .clock import MINUTES_PER_DAY, LocalClock, demo_now
from .profiles import DealerProfile, dealer_profile_draw

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer, Vehicle
    from dealer_portal.tenancy.models import Dealer

S = ComplaintState
OFFICE_OPENS, OFFICE_CLOSES = 8 * 60 + 30, 19 * 60  # when representatives call and customers come in

# Where the simulated path stops for each final state (the closed ones close from "awaiting confirmation").
PATH_STOP = {S.NEW: 0, S.CONFIRMED: 1, S.PROPOSED: 2, S.AGREED: 3, S.IMPLEMENTING: 4,
             S.AWAITING_CONFIRMATION: 5, S.CLOSED_SATISFIED: 6, S.REOPENED: 6, S.ON_HOLD: 4,
             S.CLOSED_UNRESOLVED: 5}
# Complaints from follow-up calls come with their call (``demo.calls``); these are the other channels.
CHANNELS = [Channel.PHONE, Channel.WALK_IN, Channel.EMAIL, Channel.WEB, Channel.SURVEY, Channel.SOCIAL_MEDIA,
            Channel.OEM_HOTLINE]
CHANNEL_CUM_WEIGHTS = [30, 52, 64, 72, 78, 82, 85]
COMPLIMENT_CHANNELS = [Channel.PHONE, Channel.WALK_IN, Channel.EMAIL, Channel.WEB, Channel.FOLLOW_UP_CALL,
                       Channel.SURVEY]
SEVERITIES = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]
SEVERITY_CUM_WEIGHTS = [25, 75, 95, 100]

# Category → (the customer's words, proposed solutions, what the customer agreed to).
CATEGORY_TEXTS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "Tiempo de entrega": (
        ["Me dijeron que mi camioneta estaría lista a las 2 y a las 6 seguía sin terminar. Nadie me avisó.",
         "Llevo tres días esperando mi auto para un servicio de mantenimiento que según ellos era de 3 horas.",
         "Pedí permiso en el trabajo para recoger el coche y cuando llegué ni siquiera lo habían lavado."],
        ["Terminar el servicio hoy con prioridad y entregar el auto en su domicilio.",
         "Auto de cortesía hasta la entrega y 20% de descuento en la mano de obra."],
        ["Acepta la entrega a domicilio mañana a las 10:00.", "Acepta el auto de cortesía y el descuento."]),
    "Cobro / factura": (
        ["Me cobraron una limpieza de inyectores que nunca autoricé.",
         "El presupuesto era de 3,800 pesos y me cobraron 5,200 sin llamarme antes.",
         "La factura salió con datos fiscales equivocados y ya la pedí corregir dos veces."],
        ["Reembolsar el cargo no autorizado y enviar la factura corregida.",
         "Revisar la factura con el cliente concepto por concepto y reembolsar la diferencia."],
        ["Acepta el reembolso a su tarjeta en 5 días hábiles.", "Acepta la factura corregida por correo."]),
    "Trabajo mal realizado": (
        ["Después del servicio el auto tira aceite en mi cochera.",
         "Cambiaron las balatas y ahora rechinan más que antes.",
         "Dejaron el tapón del radiador flojo y el auto se calentó en la carretera."],
        ["Revisión sin costo por el jefe de taller y corrección del trabajo.",
         "Repetir la reparación con otro técnico y lavado de cortesía."],
        ["Acepta traer el auto el lunes a primera hora.", "Acepta la reparación sin costo."]),
    "Falla repetida": (
        ["Es la tercera vez que traigo el auto por el mismo ruido en la suspensión y sigue igual.",
         "El testigo de check engine se volvió a encender a los dos días de la reparación.",
         "El aire acondicionado sigue sin enfriar aunque ya lo revisaron dos veces."],
        ["Diagnóstico con técnico certificado y apoyo técnico de la planta.",
         "Cambio del componente por garantía y auto de cortesía mientras tanto."],
        ["Acepta dejar el auto dos días con auto de cortesía.", "Acepta el cambio por garantía."]),
    "Limpieza y cuidado del vehículo": (
        ["Me entregaron el auto con grasa en el asiento y en el volante.",
         "Mi camioneta salió del taller con un rayón nuevo en la puerta."],
        ["Lavado y limpieza de interiores sin costo.", "Reparación del rayón en hojalatería por cuenta de la agencia."],
        ["Acepta la limpieza de interiores el sábado.", "Acepta la reparación del rayón."]),
    "Entrega de vehículo nuevo": (
        ["Me prometieron mi auto nuevo para el viernes y ya pasaron dos semanas.",
         "Me entregaron el auto nuevo con un golpe en la defensa y sin el tapete del conductor.",
         "En la entrega nadie me explicó cómo funciona el sistema de navegación."],
        ["Fecha de entrega confirmada por escrito y primer servicio sin costo.",
         "Corrección de los detalles sin costo y entrega a domicilio."],
        ["Acepta la nueva fecha y el primer servicio sin costo.", "Acepta la corrección y la entrega a domicilio."]),
    "Trámites y documentación": (
        ["Ya pasó un mes y todavía no me entregan las placas.",
         "La factura del auto trae mal mi nombre y no puedo hacer el cambio de propietario."],
        ["Seguimiento con la gestoría y pago de los gastos ocasionados.", "Reexpedir la factura hoy mismo."],
        ["Acepta recibir las placas en su domicilio.", "Acepta la factura reexpedida."]),
    "Promesa del asesor de ventas": (
        ["El vendedor me prometió el polarizado incluido y ahora me lo quieren cobrar.",
         "Me ofrecieron tapetes y película de seguridad con la compra y nunca me los dieron."],
        ["Instalar lo prometido sin costo esta semana."],
        ["Acepta la instalación el jueves."]),
    "Financiamiento": (
        ["La mensualidad que me cobran no es la que me dijeron al firmar.",
         "Me cargaron un seguro que no pedí en el crédito."],
        ["Revisión del contrato con el gerente de financiamiento y corrección de la tabla de pagos.",
         "Cancelar el seguro no solicitado y reembolsar lo cobrado."],
        ["Acepta la tabla de pagos corregida.", "Acepta la cancelación y el reembolso."]),
    "Refacción no disponible": (
        ["Mi auto lleva dos semanas detenido esperando una pieza de la transmisión.",
         "Me dijeron que el espejo llegaba en 3 días y ya van 15.",
         "Necesito el auto para trabajar y no saben cuándo llega la refacción."],
        ["Pedido urgente a planta con reporte semanal del estatus y auto de cortesía.",
         "Buscar la refacción en otra agencia de la red."],
        ["Acepta el auto de cortesía hasta que llegue la pieza.", "Acepta esperar con llamada semanal."]),
    "Refacción incorrecta": (
        ["Pedí la bomba de agua para mi modelo y me vendieron otra que no le queda.",
         "Me instalaron una batería que no era la indicada y el auto no enciende en las mañanas."],
        ["Cambio de la refacción sin costo verificando el número de parte con el VIN."],
        ["Acepta el cambio sin costo."]),
    "Precio de refacciones": (
        ["Me cobraron el filtro mucho más caro que en la lista de precios de la página.",
         "El mismo juego de balatas cuesta casi el doble que en la otra agencia."],
        ["Explicar el precio y reembolsar la diferencia con la lista vigente."],
        ["Acepta el reembolso de la diferencia."]),
    "Trato del personal": (
        ["El asesor me contestó de mala manera cuando pregunté por mi auto.",
         "En la caja me hicieron esperar 40 minutos y nadie me dio una explicación.",
         "La recepcionista me ignoró mientras hablaba por teléfono."],
        ["Disculpa del gerente del área y plática con la persona involucrada.",
         "Disculpa por escrito y cortesía en el próximo servicio."],
        ["Acepta la disculpa y la cortesía.", "Acepta la llamada del gerente."]),
    "Falta de seguimiento": (
        ["Dejé tres mensajes para saber de mi auto y nadie me regresó la llamada.",
         "Me dijeron que me llamarían con el presupuesto y nunca llamaron."],
        ["Asignar a la representante de clientes como contacto directo con llamada diaria."],
        ["Acepta la llamada diaria a las 17:00."]),
    "Comunicación telefónica": (
        ["Llamo a la agencia y nadie contesta el teléfono.",
         "Me transfirieron cuatro veces y se cortó la llamada."],
        ["Dar el número directo de la representante y revisar el conmutador."],
        ["Acepta el número directo."]),
    "Instalaciones": (
        ["La sala de espera no tenía aire acondicionado y esperé dos horas.",
         "No hay lugar en el estacionamiento para clientes."],
        ["Informar a la gerencia general y ofrecer servicio de recolección a domicilio."],
        ["Acepta la recolección a domicilio en su próximo servicio."]),
}
GENERIC_TEXTS = (["No quedé conforme con la atención que recibí."], ["Revisar el caso con el gerente del área."],
                 ["Acepta la revisión con el gerente."])
FIRST_CONTACT_NOTES = ["Llamé al cliente; me explicó con detalle lo sucedido.", "Hablé con el cliente por teléfono.",
                       "El cliente vino a la agencia y lo atendí personalmente.", "Le escribí por WhatsApp y me llamó."]
VOICEMAIL_NOTES = ["Llamé al cliente; no contestó, le dejé mensaje.", "Le escribí al correo; sin respuesta aún."]
CONFIRM_NOTES = ["Confirmado con el cliente: la queja queda documentada tal como la describió.",
                 "El cliente confirmó los hechos y lo que espera de nosotros."]
INFORMED = ["Gerente de servicio, jefe de taller", "Gerente de ventas, gerente general",
            "Gerente de refacciones, asesor de servicio", "Gerente general, jefe de taller, asesor"]
SATISFACTION_WORDS = ["Quedé muy contento, gracias por resolverlo tan rápido.",
                      "Todo bien, el auto quedó perfecto. Gracias por el seguimiento.",
                      "Sí, quedé satisfecho con la solución. Agradezco la atención de la representante.",
                      "Ya no tiene el ruido, muchas gracias.", "Me reembolsaron lo que me debían, quedo conforme."]
NOT_SATISFIED_WORDS = ["Todavía se escucha el ruido de vez en cuando.", "La factura sigue sin llegar."]
UNRESOLVED_REASONS = ["El cliente no contesta desde hace tres semanas tras varios intentos de contacto.",
                      "El cliente vendió el vehículo y no desea continuar.",
                      "El cliente no aceptó ninguna de las soluciones propuestas.",
                      "La planta rechazó la garantía; el cliente no acepta pagar la reparación."]
REOPEN_REASONS = ["El cliente llamó: la falla volvió a presentarse.", "El reembolso prometido no se reflejó."]
HOLD_NOTES = {HoldCause.FACTORY_TECHNICAL_HELP: "Caso enviado a asistencia técnica de planta; esperamos su dictamen.",
              HoldCause.WARRANTY_DECISION: "Esperamos la decisión de garantía de la planta.",
              HoldCause.PARTS_BACK_ORDER: "La refacción está en pedido a planta (back-order).",
              HoldCause.OTHER: "Esperamos el dictamen de la aseguradora."}
HOLD_CAUSE_OF_NOTE = {note: cause for cause, note in HOLD_NOTES.items()}
HOLD_FOLLOWUPS = ["Llamé al cliente para informarle el estatus; sigue en espera.",
                  "Sin novedades de planta; se lo comuniqué al cliente.",
                  "Seguimiento semanal: el cliente está enterado y de acuerdo en esperar."]
COMPLIMENT_WORDS = {
    Department.SERVICE: ["Excelente atención de mi asesor, me explicó todo con paciencia.",
                         "Me entregaron el auto antes de lo prometido y muy limpio.",
                         "Gracias al jefe de taller por encontrar la falla que nadie encontraba."],
    Department.SALES: ["La entrega de mi auto nuevo fue increíble, muy bien explicada.",
                       "El vendedor fue muy honesto y me ayudó con el crédito."],
    Department.PARTS: ["Consiguieron la pieza en un día, muchas gracias."],
    Department.OTHER: ["La representante de clientes resolvió mi problema de inmediato.",
                       "Muy amables en la recepción, la sala de espera muy cómoda."],
}


class _DealerComplaints:
    """Simulates one dealer's complaints; the rows stay unsaved until written in bulk."""

    def __init__(self, *, rng: random.Random, dealer: Dealer, categories: Sequence[ComplaintCategory],
                 customers: Sequence[Customer], vehicles_by_customer: dict[int, list[Vehicle]],
                 jobs: Sequence[tuple[datetime, int, int, int]], staff: dict[str, list[User]], months: int,
                 now: datetime, profile: DealerProfile, policy: ComplaintPolicy, compliments: tuple[int, int],
                 every_state: bool):
        self.rng, self.dealer, self.months, self.profile, self.policy = rng, dealer, months, profile, policy
        self.clock = LocalClock(dealer.zone, now=now, days=months * 30)
        self.now = self.clock.now_minute
        self.customers, self.vehicles_by_customer = customers, vehicles_by_customer
        self.customer_by_id = {customer.pk: customer for customer in customers}
        self.jobs = jobs  # (delivered_at, job id, customer id, vehicle id), sorted
        self.job_times = [job[0] for job in jobs]
        reps = staff.get(Role.CUSTOMER_REPRESENTATIVE, [])
        self.rep = reps[0] if reps else None  # the dealer's representative: the longest-serving one
        self.owners = staff.get(Role.SERVICE_ADVISOR, []) + staff.get(Role.DEALER_MANAGER, []) or reps
        self.loggers = [user for users in staff.values() for user in users]
        self.compliments_per_month, self.every_state = compliments, every_state
        # Closed unresolved counts as closed late: a dealer that closes most in time loses few customers.
        self.unresolved_share = 0.25 * (1 - profile.closed_in_time)
        self.in_time = profile.in_time
        # Each dealer has its own recurring problems: two or three categories weigh far more than the rest.
        recurring = set(rng.sample(range(len(categories)), min(len(categories), rng.randint(2, 3))))
        self.categories = list(categories)
        weights = [rng.choice([5, 7, 9]) if index in recurring else 1 for index in range(len(categories))]
        self.category_cum_weights = [sum(weights[: i + 1]) for i in range(len(weights))]
        self.complaints: list[Complaint] = []
        self.entries: list[TimelineEntry] = []  # each entry's complaint is set; its id is set after the insert
        self.proposals: list[SolutionProposal] = []
        self.compliments: list[Compliment] = []

    # --- time -----------------------------------------------------------------------------------
    def _office(self, moment: int) -> int:
        """The moment itself inside office hours, else the next opening (plus a little)."""
        index, minute = divmod(moment, MINUTES_PER_DAY)
        if minute < OFFICE_OPENS:
            return index * MINUTES_PER_DAY + OFFICE_OPENS + self.rng.randint(0, 90)
        if minute >= OFFICE_CLOSES:
            return (index + 1) * MINUTES_PER_DAY + OFFICE_OPENS + self.rng.randint(0, 90)
        return moment

    def _later(self, moment: int, low: int, high: int) -> int:
        return self._office(moment + self.rng.randint(low, max(low, high)))

    def _utc(self, moment: int) -> datetime:
        return self.clock.utc(moment)

    # --- simulation -----------------------------------------------------------------------------
    def simulate(self) -> None:
        if not self.customers or not self.categories:
            return
        rng, now = self.rng, self.now
        # As many as the dealer's rate gives for its deliveries (at least one), received any time in the
        # history; each story runs as far as "now" allows, so only the recent ones are still open.
        expected = self.profile.direct_per_100_jobs * len(self.jobs) / 100
        count = max(1, int(expected) + (rng.random() < expected % 1)) if self.jobs else 0
        if self.every_state:
            # The representative's own dealer shows every state of the process, each with a recent story.
            for state in S:
                self._complaint(state, self._received(state), whole=True)
            count = max(0, count - len(S))
        span = max(0, now - 20)
        for index in range(count):  # spread over the history: each its own slice of it, at a random moment
            received = rng.randint(span * index // count, span * (index + 1) // count)
            self._complaint(self._outcome(received), received, whole=False)
        self.complaints.sort(key=lambda complaint: complaint.received_at)
        for sequence, complaint in enumerate(self.complaints, start=1):
            year = local_date(complaint.received_at, self.clock.zone).year
            complaint.sequence, complaint.reference = sequence, f"{self.dealer.code}-{year}-{sequence:04d}"
        self._compliments()

    def _outcome(self, received: int) -> str:
        """How a complaint received at ``received`` ends (if "now" lets it): satisfied, unresolved, reopened."""
        if self.rng.random() < self.unresolved_share:
            return S.CLOSED_UNRESOLVED
        if self.now - received < 45 * MINUTES_PER_DAY and self.rng.random() < 0.04:
            return S.REOPENED
        return S.CLOSED_SATISFIED

    def _received(self, state: str) -> int:
        """When a complaint that is now in ``state`` came in: open ones recently, closed ones any time."""
        rng, now = self.rng, self.now
        recent_days = {S.NEW: (0, 0), S.CONFIRMED: (1, 4), S.PROPOSED: (2, 6), S.AGREED: (3, 8),
                       S.IMPLEMENTING: (4, 12), S.AWAITING_CONFIRMATION: (6, 15), S.ON_HOLD: (10, 40),
                       S.REOPENED: (20, 45)}.get(state)
        if recent_days is None:
            start, end = 0, now - 25 * MINUTES_PER_DAY
        elif state == S.NEW:
            return now - rng.randint(20, 20 * 60)
        else:
            start, end = now - recent_days[1] * MINUTES_PER_DAY, now - recent_days[0] * MINUTES_PER_DAY
        start = max(0, min(start, end))
        return rng.randint(start, max(start, end))

    def _pick_category(self) -> ComplaintCategory:
        return self.rng.choices(self.categories, cum_weights=self.category_cum_weights)[0]

    def _party(self, category: ComplaintCategory, received: int) -> tuple[Customer, Vehicle | None, int | None]:
        """The customer and car; a service complaint is about a job delivered in the month before, if any."""
        rng = self.rng
        if department_of_area(category.parent.name) == Department.SERVICE and self.jobs:
            moment = self._utc(received)
            end = bisect.bisect_right(self.job_times, moment)
            begin = bisect.bisect_left(self.job_times, moment - timedelta(days=30))
            if end > begin:
                _, job_id, customer_id, vehicle_id = self.jobs[rng.randrange(begin, end)]
                customer = self.customer_by_id.get(customer_id)
                if customer is not None:
                    vehicle = next((v for v in self.vehicles_by_customer.get(customer_id, []) if v.pk == vehicle_id),
                                   None)
                    return customer, vehicle, job_id
        customer = rng.choice(self.customers)
        vehicles = self.vehicles_by_customer.get(customer.pk, [])
        return customer, (rng.choice(vehicles) if vehicles else None), None

    def _complaint(self, final: str, received: int, *, whole: bool) -> None:
        """One complaint's story towards ``final``. A ``whole`` story is moved back in time until it has all
        happened by "now"; otherwise it is cut at "now" and the complaint is in whatever state it reached."""
        rng, care = self.rng, self.profile.care
        category = self._pick_category()
        words, proposals, agreements = CATEGORY_TEXTS.get(category.name, GENERIC_TEXTS)
        customer, vehicle, job_id = self._party(category, received)
        channel = rng.choices(CHANNELS, cum_weights=CHANNEL_CUM_WEIGHTS)[0]
        logger = rng.choice(self.loggers) if self.loggers and rng.random() < 0.7 else self.rep
        complaint = Complaint(
            dealer_id=self.dealer.pk, customer_id=customer.pk, vehicle_id=vehicle.pk if vehicle else None,
            service_job_id=job_id, department=department_of_area(category.parent.name), category_id=category.pk,
            channel=channel, words=rng.choice(words), received_at=self._utc(received),
            severity=rng.choices(SEVERITIES, cum_weights=SEVERITY_CUM_WEIGHTS)[0],
            logged_by_id=logger.pk if logger else None, representative_id=self.rep.pk if self.rep else None,
            state=S.NEW)
        rep_id = complaint.representative_id
        entries: list[TimelineEntry] = []
        story_proposals: list[SolutionProposal] = []

        def entry(kind: str, at: int, body: str, *, author: int | None = rep_id, channel: str = "",
                  from_state: str = "", to_state: str = "") -> None:
            entries.append(TimelineEntry(dealer_id=self.dealer.pk, complaint=complaint, kind=kind, author_id=author,
                                         at=self._utc(at), channel=channel, body=body, from_state=from_state,
                                         to_state=to_state))

        def move(at: int, to_state: str, body: str) -> None:
            entry(EntryKind.STATE, at, body, from_state=complaint.state, to_state=to_state)
            complaint.state = to_state

        def propose(at: int, text: str, **agreement) -> None:
            story_proposals.append(SolutionProposal(
                dealer_id=self.dealer.pk, complaint=complaint, text=text, informed=rng.choice(INFORMED),
                proposed_by_id=rep_id, proposed_at=self._utc(at), **agreement))

        entry(EntryKind.STATE, received, complaint.words, author=complaint.logged_by_id, channel=channel,
              to_state=S.NEW)
        stop = PATH_STOP[final]
        # Closed within the reply limit: the dealer's share of its complaints is worked through in a day or
        # two, step after step; the others wait at some steps (a weak dealer's more often and longer).
        fast = False
        if final == S.CLOSED_SATISFIED:
            fast = self.in_time.draw()
        elif final == S.CLOSED_UNRESOLVED:
            self.in_time.accrue()  # closed, and late
        pace = 0.2 if rng.random() < care else 1.0
        slow_contact = not fast and rng.random() > care
        contact = self._later(received, 20, 4 * 60 if fast else 36 * 60 if slow_contact else 6 * 60)
        if stop == 0:
            if rng.random() < 0.3:
                entry(EntryKind.CONTACT, contact, rng.choice(VOICEMAIL_NOTES), channel=Channel.PHONE)
                complaint.first_contact_at = self._utc(contact)
            self._keep(complaint, entries, story_proposals, whole=whole)
            return
        entry(EntryKind.CONTACT, contact, rng.choice(FIRST_CONTACT_NOTES), channel=Channel.PHONE)
        complaint.first_contact_at = self._utc(contact)
        confirmed = (contact + rng.randint(3, 15) if fast or rng.random() < 0.7
                     else self._later(contact, 60, 24 * 60))
        move(confirmed, S.CONFIRMED, rng.choice(CONFIRM_NOTES))
        complaint.confirmed_at = self._utc(confirmed)
        moment = confirmed
        # Parts and service complaints sometimes wait for the factory; the showcase's satisfied one always did.
        hold_planned = final == S.ON_HOLD or (final in (S.CLOSED_SATISFIED, S.CLOSED_UNRESOLVED, S.REOPENED)
                                              and category.parent.name in ("Refacciones", "Servicio")
                                              and rng.random() < 0.12) or (whole and final == S.CLOSED_SATISFIED)
        if final == S.CLOSED_UNRESOLVED and rng.random() < 0.4:
            stop = 1  # the customer stops answering before any solution is agreed
        if stop >= 2:
            moment = (self._later(moment, 30, 5 * 60) if fast
                      else self._later(moment, 60, int((1 if rng.random() < care else 3) * 24 * 60 * pace)))
            first = rng.randrange(len(proposals))
            texts = [proposals[first]]
            if len(proposals) > 1 and rng.random() < (0.1 if fast else 0.25):  # the first proposal is turned down
                texts.append(proposals[1 - first] if len(proposals) == 2 else proposals[(first + 1) % len(proposals)])
            for number, text in enumerate(texts):
                if number:
                    moment = self._later(moment, 60, 6 * 60 if fast else 2 * 24 * 60)
                propose(moment, text)
                move(moment, S.PROPOSED, text)
        if stop >= 3:
            moment = self._later(moment, 20, 4 * 60 if fast else int(2 * 24 * 60 * pace))
            proposal = story_proposals[-1]
            proposal.agreed = True
            proposal.agreement = agreements[min(proposals.index(proposal.text), len(agreements) - 1)] \
                if proposal.text in proposals else agreements[0]
            move(moment, S.AGREED, proposal.agreement)
            complaint.agreed_at = self._utc(moment)
        if stop >= 4:
            moment = self._later(moment, 10, 2 * 60 if fast else 24 * 60)
            owner = rng.choice(self.owners) if self.owners else None
            complaint.owner_id = owner.pk if owner else None
            move(moment, S.IMPLEMENTING, f"{owner or 'La representante'} lleva la solución hasta el final.")
        held = 0  # minutes on hold (they do not count against the reply limit)
        if hold_planned:
            resumed = self._hold(complaint, entry, move, moment, resume=final != S.ON_HOLD)
            if final == S.ON_HOLD:
                self._keep(complaint, entries, story_proposals, whole=whole)
                return
            held, moment = resumed - moment, resumed
        if stop >= 5:
            moment = (self._later(moment, 60, 12 * 60) if fast
                      else self._later(moment, 60, int((2 if rng.random() < care else 6) * 24 * 60 * pace)))
            move(moment, S.AWAITING_CONFIRMATION, "Solución implementada; esperamos la confirmación del cliente.")
            if stop >= 6 and not fast and rng.random() < 0.08:  # not satisfied yet: worked again from "confirmed"
                moment = self._later(moment, 60, 2 * 24 * 60)
                move(moment, S.CONFIRMED, rng.choice(NOT_SATISFIED_WORDS))
                for to_state, body in ((S.PROPOSED, proposals[0]), (S.AGREED, agreements[0]),
                                       (S.IMPLEMENTING, "Se repite el trabajo con el jefe de taller."),
                                       (S.AWAITING_CONFIRMATION, "Solución implementada de nuevo.")):
                    moment = self._later(moment, 60, 24 * 60)
                    if to_state == S.PROPOSED:
                        propose(moment, body, agreed=True, agreement=agreements[0])
                    if to_state == S.AGREED:
                        complaint.agreed_at = self._utc(moment)
                    move(moment, to_state, body)
        if final in (S.CLOSED_SATISFIED, S.REOPENED):
            if fast:
                moment = self._later(moment, 30, 8 * 60)
            else:
                moment = self._later(moment, 60, int(3 * 24 * 60 * pace))
                if final == S.CLOSED_SATISFIED:  # worked through, but after the reply limit
                    late = received + held + self.policy.reply_limit_hours * 60 + rng.randint(60, 3 * 24 * 60)
                    moment = max(moment, self._office(late))
            complaint.satisfaction_words = rng.choice(SATISFACTION_WORDS)
            complaint.satisfaction_confirmed_by = customer.name
            complaint.satisfaction_channel = Channel.PHONE if rng.random() < 0.8 else Channel.WALK_IN
            entry(EntryKind.CONTACT, moment, "Llamada para confirmar la solución.", channel=Channel.PHONE)
            move(moment + 2, S.CLOSED_SATISFIED, complaint.satisfaction_words)
            complaint.closed_at = self._utc(moment + 2)
            if final == S.REOPENED:
                moment = self._later(moment, 3 * 24 * 60, 12 * 24 * 60)
                move(moment, S.REOPENED, rng.choice(REOPEN_REASONS))
                complaint.closed_at = None
        elif final == S.CLOSED_UNRESOLVED:
            moment = self._later(moment, 5 * 24 * 60, 20 * 24 * 60)
            complaint.close_reason = rng.choice(UNRESOLVED_REASONS)
            move(moment, S.CLOSED_UNRESOLVED, complaint.close_reason)
            complaint.closed_at = self._utc(moment)
        self._keep(complaint, entries, story_proposals, whole=whole)
        if final in (S.CLOSED_SATISFIED, S.CLOSED_UNRESOLVED) and complaint.state != final:
            self.in_time.void(took=fast)  # not closed by "now": it does not count yet
        elif fast and not closed_in_time(complaint, self.policy):
            self.in_time.refund()  # the story ran past the limit: the next one makes up for it

    def _hold(self, complaint: Complaint, entry, move, moment: int, *, resume: bool) -> int:
        """Put the complaint on hold for an outside cause, with the weekly follow-ups (b.8); resume if asked."""
        rng = self.rng
        cause = (HoldCause.PARTS_BACK_ORDER if complaint.department == Department.PARTS
                 else rng.choice([HoldCause.FACTORY_TECHNICAL_HELP, HoldCause.WARRANTY_DECISION, HoldCause.OTHER]))
        moment = self._later(moment, 60, 24 * 60)
        before = complaint.state
        move(moment, S.ON_HOLD, HOLD_NOTES[cause])
        complaint.state_before_hold, complaint.hold_cause = before, cause
        since = moment
        complaint.on_hold_since = complaint.last_hold_followup_at = self._utc(since)
        end = self._later(since, 5 * 24 * 60, 30 * 24 * 60) if resume else self.now
        # A careful dealer follows up every week; a careless one lets some weeks pass.
        every = (7 if rng.random() < self.profile.care else 11) * 24 * 60
        followup = self._later(since, 5 * 24 * 60, every)
        while followup < end:
            entry(EntryKind.HOLD_FOLLOWUP, followup, rng.choice(HOLD_FOLLOWUPS))
            complaint.last_hold_followup_at = self._utc(followup)
            every = (7 if rng.random() < self.profile.care else 11) * 24 * 60
            followup = self._later(followup, 5 * 24 * 60, every)
        if not resume:
            return since
        move(end, before, "Llegó la respuesta; se reanuda la solución.")
        complaint.state_before_hold, complaint.hold_cause, complaint.on_hold_since = "", "", None
        complaint.time_on_hold = self._utc(end) - self._utc(since)
        return end

    def _keep(self, complaint: Complaint, entries: list[TimelineEntry], proposals: list[SolutionProposal], *,
              whole: bool) -> None:
        """Keep the complaint as far as its story has happened by "now" (a ``whole`` story moves back whole days
        until it has all happened, keeping each moment's time of day)."""
        now = self.clock.now
        last = max(entry.at for entry in entries)
        if whole and last > now:
            shift = timedelta(days=(last - now).days + 1)
            for row in entries:
                row.at -= shift
            for field in ("received_at", "first_contact_at", "confirmed_at", "agreed_at", "closed_at",
                          "on_hold_since", "last_hold_followup_at"):
                value = getattr(complaint, field)
                if value is not None:
                    setattr(complaint, field, value - shift)
            for proposal in proposals:
                proposal.proposed_at -= shift
        elif last > now:
            entries, proposals = _story_until(complaint, entries, proposals, now)
        self.complaints.append(complaint)
        self.entries += entries
        self.proposals += proposals

    def _compliments(self) -> None:
        rng = self.rng
        people = self.loggers
        low, high = self.compliments_per_month
        for month in range(self.months):
            for _ in range(rng.randint(low, high)):
                moment = self._office(month * 30 * MINUTES_PER_DAY + rng.randint(0, 30 * MINUTES_PER_DAY - 1))
                if moment > self.now:
                    continue
                department = rng.choices(list(COMPLIMENT_WORDS), weights=[6, 2, 1, 2])[0]
                person = rng.choice(people) if people and rng.random() < 0.6 else None
                customer = rng.choice(self.customers)
                self.compliments.append(Compliment(
                    dealer_id=self.dealer.pk, customer_id=customer.pk, department=department,
                    person_id=person.pk if person else None, channel=rng.choice(COMPLIMENT_CHANNELS),
                    words=rng.choice(COMPLIMENT_WORDS[department]), received_at=self._utc(moment),
                    logged_by_id=self.rep.pk if self.rep else None))


def closed_in_time(complaint: Complaint, policy: ComplaintPolicy) -> bool:
    """Closed by the reply due time (the reply limit plus the time on hold), as the figures count it."""
    return complaint.closed_at is not None and complaint.closed_at <= reply_due(complaint, policy=policy,
                                                                                 now=complaint.closed_at)


def _story_until(complaint: Complaint, entries: list[TimelineEntry], proposals: list[SolutionProposal],
                 now: datetime) -> tuple[list[TimelineEntry], list[SolutionProposal]]:
    """Cut a complaint's story at ``now``: the entries and proposals so far, and the complaint as they leave it."""
    entries = [row for row in entries if row.at <= now]
    proposals = [row for row in proposals if row.proposed_at <= now]
    moves = [row for row in entries if row.kind == EntryKind.STATE]
    complaint.state = moves[-1].to_state
    contacts = [row.at for row in entries if row.kind == EntryKind.CONTACT]
    complaint.first_contact_at = contacts[0] if contacts else None
    complaint.confirmed_at = next((row.at for row in moves if row.to_state == S.CONFIRMED), None)
    agreed = [row.at for row in moves if row.to_state == S.AGREED]
    complaint.agreed_at = agreed[-1] if agreed else None
    for proposal in proposals:
        if proposal.agreed and (not agreed or proposal.proposed_at > agreed[-1]):
            proposal.agreed, proposal.agreement = False, ""
    if not any(row.to_state == S.IMPLEMENTING for row in moves):
        complaint.owner_id = None
    closed = complaint.state in (S.CLOSED_SATISFIED, S.CLOSED_UNRESOLVED)
    complaint.closed_at = moves[-1].at if closed else None
    if complaint.state != S.CLOSED_SATISFIED and not any(row.to_state == S.CLOSED_SATISFIED for row in moves):
        complaint.satisfaction_words = complaint.satisfaction_confirmed_by = complaint.satisfaction_channel = ""
    if complaint.state != S.CLOSED_UNRESOLVED:
        complaint.close_reason = ""
    held = next((row for row in moves if row.to_state == S.ON_HOLD), None)
    if complaint.state == S.ON_HOLD:  # still waiting: the hold runs on, nothing is added to the time on hold yet
        followups = [row.at for row in entries if row.kind == EntryKind.HOLD_FOLLOWUP]
        complaint.state_before_hold, complaint.hold_cause = held.from_state, HOLD_CAUSE_OF_NOTE[held.body]
        complaint.on_hold_since = held.at
        complaint.last_hold_followup_at = followups[-1] if followups else held.at
        complaint.time_on_hold = timedelta(0)
    elif held is None:
        complaint.state_before_hold = complaint.hold_cause = ""
        complaint.on_hold_since = complaint.last_hold_followup_at = None
        complaint.time_on_hold = timedelta(0)
    return entries, proposals


def demo_complaints_build(*, rng: random.Random, dealers: list[Dealer], customers_by_dealer: dict[int, list[Customer]],
                          vehicles_by_customer: dict[int, list[Vehicle]], staff_by_dealer: dict[int, dict[str, list]],
                          months: int, today: date | None = None, now: datetime | None = None,
                          jobs_by_dealer: dict[int, list[tuple[datetime, int, int, int]]] | None = None,
                          profiles: dict[int, DealerProfile] | None = None, every_state_first: bool = True,
                          compliments_per_month: tuple[int, int] | None = None) -> int:
    """Build ``months`` of complaints up to ``now`` (see ``demo_now``; the first dealer's in every state), their
    timelines and proposals, and compliments for every dealer; returns the complaint count. ``staff_by_dealer``
    maps a dealer id to {role: [users]} (the first representative is the dealer's), ``jobs_by_dealer`` to its
    delivered jobs (delivered at, job id, customer id, vehicle id): their number and the dealer's profile
    (drawn here if ``profiles`` has none) give the number of complaints. ``every_state_first`` false (a later
    chunk of the network) leaves the first dealer an ordinary one; ``compliments_per_month`` (low, high) defaults
    by the number of ``dealers``.

    Side effects: bulk-inserts Complaint, TimelineEntry, SolutionProposal and Compliment rows (the dealers'
    networks need a taxonomy); must run inside ``unscoped()``.
    """
    now = demo_now(now=now, today=today, zone=dealers[0].zone if dealers else timezone.get_current_timezone())
    profiles = profiles or {}
    network_ids = sorted({dealer.network_id for dealer in dealers})
    categories_by_network: dict[int, list[ComplaintCategory]] = {}
    for category in (ComplaintCategory.objects.filter(network_id__in=network_ids, parent__isnull=False,
                                                      is_active=True)
                     .select_related("parent").order_by("network_id", "parent__name", "name", "pk")):
        categories_by_network.setdefault(category.network_id, []).append(category)
    policies = {network_id: ComplaintPolicy.objects.for_network(Network(pk=network_id)) for network_id in network_ids}
    compliments_per_month = compliments_per_month or ((1, 4) if len(dealers) <= 200 else (0, 1))
    complaints: list[Complaint] = []
    entries: list[TimelineEntry] = []
    proposals: list[SolutionProposal] = []
    compliments: list[Compliment] = []
    for position, dealer in enumerate(dealers):
        history = _DealerComplaints(
            rng=rng, dealer=dealer, categories=categories_by_network.get(dealer.network_id, []),
            customers=customers_by_dealer.get(dealer.pk, []), vehicles_by_customer=vehicles_by_customer,
            jobs=sorted((jobs_by_dealer or {}).get(dealer.pk, [])), staff=staff_by_dealer.get(dealer.pk, {}),
            months=months, now=now, profile=profiles.get(dealer.pk) or dealer_profile_draw(rng),
            policy=policies[dealer.network_id], compliments=compliments_per_month,
            every_state=every_state_first and position == 0)
        history.simulate()
        complaints += history.complaints
        entries += history.entries
        proposals += history.proposals
        compliments += history.compliments
    # Every row final when written: created when the complaint came in, updated at its last step.
    for complaint in complaints:
        complaint.created_at = complaint.received_at
        complaint.updated_at = (complaint.closed_at or complaint.last_hold_followup_at or complaint.agreed_at
                                or complaint.confirmed_at or complaint.first_contact_at or complaint.received_at)
    IdBlock(Complaint).assign(complaints)
    for row in (*entries, *proposals):
        row.complaint_id = row.complaint.pk
    for model, rows in ((Complaint, complaints), (TimelineEntry, entries), (SolutionProposal, proposals),
                        (Compliment, compliments)):
        IdBlock(model).assign(rows)
        write_rows(model, rows)
    return len(complaints)
