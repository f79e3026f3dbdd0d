"""The complaint taxonomy and standard answers that ship with the platform (PRC b.9, seed 002).

Two levels: an area (a department of the dealer) and the categories under it, each with one or two
approved answers a representative can reuse so the network answers "with one voice". The wording is
Spanish because the first network on the platform (Aurora, Mexico) works in Spanish; a network admin
renames, adds or retires categories and answers in the admin afterwards.
"""

from __future__ import annotations

from django.db import transaction

from ..models import ComplaintCategory, Department, StandardAnswer

# Area → (department, {category: [(answer title, answer body), ...]}).
DEFAULT_TAXONOMY: dict[str, tuple[str, dict[str, list[tuple[str, str]]]]] = {
    "Servicio": (Department.SERVICE, {
        "Tiempo de entrega": [
            ("Retraso en la entrega del vehículo",
             "Lamentamos que su vehículo no estuviera listo a la hora que le prometimos. Revisamos el avance con "
             "el taller y le confirmamos una nueva hora de entrega; si vuelve a cambiar, le avisaremos antes, "
             "no después."),
            ("Auto de cortesía mientras termina el trabajo",
             "Para no afectar su día, le ofrecemos un auto de cortesía (o transporte a su destino) mientras "
             "terminamos el trabajo. Le llamaremos en cuanto su vehículo esté listo."),
        ],
        "Cobro / factura": [
            ("Aclaración de la factura",
             "Revisamos su factura concepto por concepto junto con la orden de reparación que usted autorizó. "
             "Si hubo un cargo no autorizado, lo reembolsamos y le enviamos la factura corregida."),
        ],
        "Trabajo mal realizado": [
            ("Revisión sin costo del trabajo realizado",
             "Le pedimos una disculpa. Revisaremos sin costo el trabajo realizado con el jefe de taller y, si la "
             "falla viene de nuestra reparación, la corregimos con prioridad y sin cargo."),
            ("Segunda opinión del jefe de taller",
             "El jefe de taller revisará personalmente el vehículo con usted y le explicará el diagnóstico antes "
             "de hacer cualquier trabajo adicional."),
        ],
        "Falla repetida": [
            ("Falla que regresa después de la reparación",
             "Sentimos que la falla haya regresado. Su vehículo tendrá prioridad en el taller, un técnico "
             "certificado hará el diagnóstico y, si es necesario, pediremos apoyo técnico a la planta."),
        ],
        "Limpieza y cuidado del vehículo": [
            ("Vehículo entregado sucio o con daños",
             "Lamentamos que su vehículo no se entregara en las condiciones en que lo recibimos. Lo lavamos sin "
             "costo y, si hay algún daño, lo revisa el jefe de hojalatería y lo reparamos por nuestra cuenta."),
        ],
    }),
    "Ventas": (Department.SALES, {
        "Entrega de vehículo nuevo": [
            ("Retraso en la entrega del auto nuevo",
             "Le ofrecemos una disculpa por el retraso. Le confirmamos por escrito la fecha de entrega con el "
             "estatus de su unidad, y el gerente de ventas le llamará si algo cambia."),
            ("Unidad entregada con detalles",
             "Revisaremos su unidad nueva sin costo en nuestro taller y corregiremos los detalles encontrados; "
             "le ofrecemos recogerla y entregarla en su domicilio."),
        ],
        "Trámites y documentación": [
            ("Placas, tenencia o factura pendientes",
             "Damos seguimiento a su trámite con la gestoría hoy mismo y le confirmamos la fecha en que tendrá sus "
             "documentos. Si el retraso es nuestro, cubrimos los gastos que le haya ocasionado."),
        ],
        "Promesa del asesor de ventas": [
            ("Accesorio o condición prometida en la venta",
             "Revisamos lo que le ofreció su asesor de ventas. Lo que se le prometió se cumple: le confirmamos la "
             "fecha de instalación o entrega sin costo adicional."),
        ],
        "Financiamiento": [
            ("Aclaración de condiciones de crédito",
             "El gerente de financiamiento revisará con usted las condiciones de su crédito y le entregará por "
             "escrito la tabla de pagos acordada."),
        ],
    }),
    "Refacciones": (Department.PARTS, {
        "Refacción no disponible": [
            ("Refacción en pedido a planta",
             "Su refacción está en pedido urgente con la planta. Le informaremos cada semana del estatus y, en "
             "cuanto llegue, le agendamos la instalación con prioridad."),
            ("Alternativa mientras llega la refacción",
             "Mientras llega la refacción, le ofrecemos una solución provisional segura o un auto de cortesía, "
             "según lo que le resulte más conveniente."),
        ],
        "Refacción incorrecta": [
            ("Cambio de refacción equivocada",
             "Le pedimos una disculpa por el error. Cambiamos la refacción sin costo y verificamos el número de "
             "parte con el VIN de su vehículo antes de pedirla de nuevo."),
        ],
        "Precio de refacciones": [
            ("Explicación del precio",
             "Le explicamos el precio de la refacción original y su garantía. Si encontramos un cobro mayor al de "
             "la lista de precios vigente, le reembolsamos la diferencia."),
        ],
    }),
    "Atención": (Department.OTHER, {
        "Trato del personal": [
            ("Disculpa por el trato recibido",
             "Le ofrecemos una disculpa sincera por el trato que recibió; no es la atención que queremos darle. "
             "El gerente del área hablará con la persona involucrada y le informaremos de lo que hicimos."),
        ],
        "Falta de seguimiento": [
            ("No le regresamos la llamada",
             "Lamentamos no haberle devuelto la llamada. Desde hoy su caso lo atiende directamente su "
             "representante de clientes, quien le llamará en la fecha y hora que usted prefiera."),
        ],
        "Comunicación telefónica": [
            ("Nadie contesta el teléfono",
             "Gracias por avisarnos. Le damos el número directo de su representante de clientes y revisamos la "
             "atención telefónica del conmutador."),
        ],
        "Instalaciones": [
            ("Sala de espera o estacionamiento",
             "Gracias por su comentario sobre nuestras instalaciones. Lo compartimos con la gerencia general y le "
             "contaremos qué mejoras haremos."),
        ],
    }),
}


@transaction.atomic
def network_taxonomy_install(*, network) -> int:
    """Give ``network`` the default taxonomy and standard answers if it has no categories yet; returns the
    number of rows created (0 when it already has a taxonomy).

    Side effects: bulk-inserts ComplaintCategory and StandardAnswer rows; runs in the caller's tenant scope.
    """
    # A network that has any category has been set up (or customised) already: never add to it.
    if ComplaintCategory.objects.filter(network=network).exists():
        return 0
    areas = ComplaintCategory.objects.bulk_create(
        [ComplaintCategory(network=network, name=area) for area in DEFAULT_TAXONOMY])
    children: list[ComplaintCategory] = []
    answers: list[tuple[int, str, str]] = []  # (index into children, title, body)
    for area, (_department, categories) in zip(areas, DEFAULT_TAXONOMY.values(), strict=True):
        for name, standard_answers in categories.items():
            children.append(ComplaintCategory(network=network, parent=area, name=name))
            answers += [(len(children) - 1, title, body) for title, body in standard_answers]
    children = ComplaintCategory.objects.bulk_create(children)
    created = StandardAnswer.objects.bulk_create(
        [StandardAnswer(network=network, category=children[index], title=title, body=body)
         for index, title, body in answers])
    return len(areas) + len(children) + len(created)


def department_of_area(area_name: str) -> str:
    """The department an area of the default taxonomy belongs to (``other`` for an area it does not know)."""
    entry = DEFAULT_TAXONOMY.get(area_name)
    return entry[0] if entry else Department.OTHER
