"""What PyPI shows: the licence file, and README links that work away from the repository."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_licence_file_is_the_declared_licence_and_ships():
    """LICENSE holds the MIT text that ``license = "MIT"`` declares, and is a licence file."""
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")


def test_readme_links_are_absolute_so_they_work_on_pypi():
    """Every link of the README is a full URL: PyPI cannot resolve one relative to the repo."""
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>", readme)
    links = [inline or bare for inline, bare in targets]
    assert links
    assert [link for link in links if not link.startswith("https://")] == []


def test_the_readme_says_the_python_version_before_the_commands():
    """A newcomer reads which Python is needed before the two set-up commands."""
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11+" in readme.split("```sh", 1)[0]
    assert PROJECT["requires-python"] == ">=3.11"
