"""Where the demo and the benchmarks import the default taxonomy from; it lives in ``complaints.services``.

Import ``network_taxonomy_install`` from ``complaints.services`` in new code.
"""

from .services.taxonomy import DEFAULT_TAXONOMY, department_of_area, network_taxonomy_install

__all__ = ["DEFAULT_TAXONOMY", "department_of_area", "network_taxonomy_install"]
