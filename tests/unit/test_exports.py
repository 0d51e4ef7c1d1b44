from importlib.metadata import version

import printer_async


def test_all_lists_exactly_the_public_names():
    """``__all__`` is sorted and names every public attribute of the package, and only those."""
    public = {
        name
        for name, value in vars(printer_async).items()
        if not name.startswith("_")
        and (
            getattr(value, "__module__", "").startswith("printer_async")
            or isinstance(value, frozenset)  # a constant, like REDACT_KEYS
        )
    }
    # Sorted as ruff's RUF022 sorts: constants, then classes, then functions.
    def kind(name):
        return 0 if name.isupper() else 1 if name[0].isupper() else 2

    assert sorted(printer_async.__all__, key=lambda name: (kind(name), name)) == (
        printer_async.__all__
    )
    assert set(printer_async.__all__) == public


def test_version_comes_from_package_metadata():
    """``printer_async.__version__`` is the installed distribution's version."""
    assert printer_async.__version__ == version("printer-async")
