"""Every list view has a query-count test (issue 9: "no N+1 anywhere").

Each app's `test_query_counts` module classifies its URL names as list views (with the test that
holds their query count flat as rows grow) or not. This test holds the whole URL conf to that:
a new URL that nobody classified fails here, so a list view cannot arrive without its test.
"""

import importlib

from django.urls import URLPattern, URLResolver, get_resolver

from tests.foundation import test_query_counts as portal

MODULES = [
    "tests.orgunits.test_query_counts",
    "tests.catalog.test_query_counts",
    "tests.evaluations.test_query_counts",
    "tests.reports.test_query_counts",
    "tests.foundation.test_query_counts",
]


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner in portal.THIRD_PARTY_NAMESPACES:
                continue
            yield from _url_names(
                pattern.url_patterns, f"{namespace}{inner}:" if inner else namespace
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def _test_exists(module, reference: str) -> bool:
    """`test_name` in the classifying module, or `tests/x/test_y.py::test_name` elsewhere."""
    if "::" not in reference:
        return callable(getattr(module, reference, None))
    path, name = reference.split("::")
    other = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return callable(getattr(other, name, None))


def test_every_url_of_the_project_is_classified_once():
    modules = [importlib.import_module(name) for name in MODULES]
    classified: dict[str, str] = {}
    for module in modules:
        for name in {**module.LIST_VIEWS, **module.NOT_LIST_VIEWS}:
            assert name not in classified, f"{name} is classified twice"
            classified[name] = module.__name__
    ours = set(_url_names(get_resolver().url_patterns)) - set(portal.THIRD_PARTY_URL_NAMES)
    assert sorted(ours - set(classified)) == [], "URL names nobody classified"
    assert sorted(set(classified) - ours) == [], "classified names that are not routed"


def test_every_list_view_names_a_query_count_test_that_exists():
    for module in (importlib.import_module(name) for name in MODULES):
        for url_name, reference in module.LIST_VIEWS.items():
            assert _test_exists(module, reference), f"{url_name}: no test {reference}"
