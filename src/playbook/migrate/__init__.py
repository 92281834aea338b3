"""Schema versions: rewrite documents written for an older `apiVersion` to the current one.

Loading stays with `playbook.loader` (safe, bounded); ruamel.yaml's round-trip mode is used
only to rewrite a file that needs migrating, so its comments and key order survive.
"""

from playbook.migrate.migrations import CURRENT, MIGRATIONS, VERSIONS, Migration, steps_between
from playbook.migrate.rewrite import Migrated, migrate_text

__all__ = ["CURRENT", "MIGRATIONS", "VERSIONS", "Migrated", "Migration", "migrate_text", "steps_between"]
