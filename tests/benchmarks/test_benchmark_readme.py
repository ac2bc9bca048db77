"""benchmarks/readme.py: a benchmark replaces its own section of the README and nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from readme import README, SECTIONS, load_average, markers, read_section, write_section

OTHERS = "# Benchmarks\n\nIntro.\n\n<!-- bench:a:start -->\nfigures of a\n<!-- bench:a:end -->\n"


class TestWriteSection:
    def test_replaces_only_the_text_between_the_markers_of_its_name(self, tmp_path: Path) -> None:
        path = tmp_path / "README.md"
        path.write_text(OTHERS + "\n<!-- bench:b:start -->\nold figures of b\n<!-- bench:b:end -->\n\nTail.\n")

        write_section("b", "## b\n\nnew figures of b", path=path)

        assert path.read_text() == (
            OTHERS + "\n<!-- bench:b:start -->\n## b\n\nnew figures of b\n<!-- bench:b:end -->\n\nTail.\n"
        )

    def test_appends_a_section_the_readme_does_not_have_yet(self, tmp_path: Path) -> None:
        path = tmp_path / "README.md"
        path.write_text(OTHERS)

        write_section("c", "figures of c", path=path)

        assert path.read_text() == OTHERS + "\n<!-- bench:c:start -->\nfigures of c\n<!-- bench:c:end -->\n"
        assert read_section("a", path=path) == "figures of a"
        assert read_section("c", path=path) == "figures of c"

    def test_writing_the_same_section_twice_leaves_one_copy(self, tmp_path: Path) -> None:
        path = tmp_path / "README.md"
        path.write_text(OTHERS)

        write_section("a", "first", path=path)
        write_section("a", "second", path=path)

        assert path.read_text().count(markers("a")[0]) == 1
        assert read_section("a", path=path) == "second"

    def test_refuses_a_section_that_is_opened_and_never_closed(self, tmp_path: Path) -> None:
        path = tmp_path / "README.md"
        path.write_text("<!-- bench:a:start -->\nfigures\n")

        with pytest.raises(ValueError, match="never closes"):
            write_section("a", "new", path=path)
        assert path.read_text() == "<!-- bench:a:start -->\nfigures\n"

    def test_a_name_cannot_smuggle_in_another_section_s_markers(self) -> None:
        with pytest.raises(ValueError):
            markers("a:end --> <!-- bench:b")


class TestTheRepositoryReadme:
    def test_holds_one_section_per_benchmark_each_with_figures(self) -> None:
        for name in SECTIONS:
            section = read_section(name, path=README)
            assert section is not None, name
            assert "|---" in section, f"the {name} section has no table of figures"

    def test_every_benchmark_script_writes_through_the_shared_helper(self) -> None:
        for name in SECTIONS:
            source = (README.parent / f"{name}.py").read_text()
            # directly, or through the harness the single-operation benchmarks share
            writes = "write_section(" in source or "harness.run(" in source
            assert writes and f'"{name}"' in source, name
            assert 'README.md").write_text' not in source, name


def test_the_load_average_names_its_three_windows() -> None:
    assert "(1, 5, 15 min)" in load_average() or load_average() == "load average unknown"
