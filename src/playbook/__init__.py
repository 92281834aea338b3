"""playbook: community-operations playbooks as code.

Load versioned YAML playbooks safely, validate them against pydantic models and
cross-file checks, and compile them into a handbook and message bundles.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("playbook")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
