"""Loader edges left by the loader's second mutation run (issue 19), each written out by hand:
the empty result of a file the file-access layer refuses (every field, and the diagnostic at
the file's start), a recursive alias's wording, and the fast path's own depth bound (64 nested
collections pass, the 65th sends the document to the builder)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from playbook import loader
from playbook.loader import LoadedFile, load_file, load_text
from playbook.source import SourceMap


def test_a_refused_file_loads_as_nothing_with_the_refusal_at_its_start(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "out.yaml").symlink_to("/etc/hostname")
    loaded = load_file(tmp_path, "rules/out.yaml", "GroupRules")
    assert [str(d) for d in loaded.diagnostics] == [
        "rules/out.yaml:1:1: error PB037 'rules/out.yaml' is a symbolic link leading outside the "
        "playbook folder"]
    assert loaded == LoadedFile("rules/out.yaml", "GroupRules", None, SourceMap("rules/out.yaml"),
                                loaded.diagnostics)
    assert loaded.source.value("/id").path == "rules/out.yaml"


def test_a_missing_file_is_pb033_at_its_first_line(tmp_path: Path) -> None:
    loaded = load_file(tmp_path, "scripts/gone.yaml", "OnboardingScript")
    assert (loaded.path, loaded.expected_kind, loaded.data) == ("scripts/gone.yaml", "OnboardingScript", None)
    assert [str(d) for d in loaded.diagnostics] == [
        "scripts/gone.yaml:1:1: error PB033 'scripts/gone.yaml' does not exist"]


def test_a_recursive_alias_is_pb004_at_the_anchored_value() -> None:
    loaded = load_text("kind: GroupRules\na: &x [1, *x]\n", "rules/a.yaml", "GroupRules")
    assert loaded.data is None
    assert [str(d) for d in loaded.diagnostics] == [
        "rules/a.yaml:2:4: error PB004 recursive alias: a value contains itself"]


def _fast(text: str) -> object:
    node = yaml.compose(text, Loader=yaml.CSafeLoader)
    assert node is not None
    return loader._plain(node, 0, set())


@pytest.mark.parametrize("kind", ["list", "mapping"])
def test_the_fast_path_takes_64_nested_collections_and_hands_the_65th_on(kind: str) -> None:
    def nest(n: int) -> str:  # the number 1 inside n nested lists or mappings
        return "[" * n + "1" + "]" * n if kind == "list" else "{a: " * n + "1" + "}" * n

    inner: object = 1
    for _ in range(64):
        inner = [inner] if kind == "list" else {"a": inner}
    assert _fast(nest(64)) == inner
    with pytest.raises(loader._Unusual):
        _fast(nest(65))
