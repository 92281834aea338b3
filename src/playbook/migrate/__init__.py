"""Schema versions: rewrite documents written for an older `apiVersion` to the current one.

Loading stays with `playbook.loader` (safe, bounded); ruamel.yaml's round-trip mode is used
only to rewrite a file that needs migrating, so its comments and key order survive.
"""
