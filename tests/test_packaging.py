import re
import tomllib

import nascore
from nascore.paths import REPO_ROOT


def test_citation_version_matches_package():
    cff = (REPO_ROOT / "CITATION.cff").read_text()
    assert re.search(r"^version: (\S+)$", cff, re.M).group(1) == nascore.__version__


def test_pyproject_version_and_torch_pin():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == nascore.__version__
    assert "torch==2.13.0" in project["dependencies"]


def test_ci_runs_the_readme_test_command():
    readme = (REPO_ROOT / "README.md").read_text()
    command = re.search(r"^# 2\..*\n(.+)$", readme, re.M).group(1).strip()
    assert command in (REPO_ROOT / ".ci" / "run").read_text()


def test_readme_and_pages_workflow_build_the_default_paper_size_book():
    readme = (REPO_ROOT / "README.md").read_text()
    command = re.search(r"^# 1\..*\n(.+)$", readme, re.M).group(1).strip()
    assert command.endswith("nascore reproduce")  # no --quick: the papers' sizes
    workflow = (REPO_ROOT / ".github" / "workflows" / "book.yml").read_text()
    runs = [line for line in workflow.splitlines() if "nascore reproduce" in line]
    assert runs and all("--quick" not in line and "--regenerate" not in line for line in runs)


def test_every_data_folder_has_provenance_and_licence():
    for folder in (REPO_ROOT / "data").iterdir():
        if folder.is_dir():
            assert (folder / "README.md").exists(), f"{folder.name} lacks a provenance README"
            assert any(p.name.upper().startswith("LICEN") for p in folder.iterdir()) or \
                "licen" in (folder / "README.md").read_text().lower(), f"{folder.name} lacks a licence"
