"""The package under test is the installed wheel, typed, and documented."""

from __future__ import annotations

import inspect
import pathlib

import qencode_cdn
from qencode_cdn import _native


def test_the_installed_wheel_is_imported_not_the_source_folder() -> None:
    path = pathlib.Path(qencode_cdn.__file__).resolve()
    assert "site-packages" in path.parts, path
    assert (path.parent / "py.typed").exists()
    assert (path.parent / "_native.pyi").exists()


def test_native_module_is_private_and_abi3() -> None:
    native_file = pathlib.Path(_native.__file__)
    assert native_file.name.endswith(".abi3.so") or native_file.suffix == ".pyd", native_file.name


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for name in qencode_cdn.__all__:
        obj = getattr(qencode_cdn, name)
        if name.isupper() or name.startswith("__"):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                is_api = inspect.isroutine(member) or inspect.isdatadescriptor(member)
                if not is_api or attr in getattr(obj, "__dataclass_fields__", {}):
                    continue  # data fields are described in the class docstring
                if not (getattr(member, "__doc__", None) or "").strip():
                    missing.append(f"{name}.{attr}")
    assert missing == []


def test_version_is_the_core_version() -> None:
    assert qencode_cdn.__version__.count(".") == 2


def test_docstring_examples_run() -> None:
    import doctest

    import qencode_cdn.testing

    for module in (qencode_cdn, qencode_cdn.testing):
        result = doctest.testmod(module, raise_on_error=False, verbose=False)
        assert result.attempted > 0, module.__name__
        assert result.failed == 0, module.__name__
