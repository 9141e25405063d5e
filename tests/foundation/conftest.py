"""Fixtures of the app test packages, for the portal-wide tests (query counts of every list)."""

from tests.catalog.conftest import (  # noqa: F401
    make_product,
    make_set,
    product_groups,
)
from tests.evaluations.conftest import (  # noqa: F401  (a March 2026 period with products)
    period,
    position_group,
    products,
    quota,
    workday,
)
from tests.evaluations.test_assessment import (  # noqa: F401  (evaluations opened, then published)
    assessed,
    opened,
    published,
)
from tests.orgunits.conftest import make_people  # noqa: F401
