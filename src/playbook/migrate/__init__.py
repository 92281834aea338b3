"""Schema versions: rewriting documents from an older apiVersion to the current one."""
