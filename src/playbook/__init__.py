"""playbook: community-operations playbooks as code.

Load versioned YAML playbooks safely, validate them against pydantic models and
cross-file checks, and compile them into a handbook and message bundles.
"""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "community-playbook"
"""The name the package is installed under (pyproject.toml); `playbook` on PyPI is another project."""

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

__all__ = ["DISTRIBUTION", "__version__"]
