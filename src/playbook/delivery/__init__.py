"""Delivery of a bundle's messages to WeCom: the request bodies (`wecom_payloads`), the routes
messages take (`routes`), the HTTP client (`client`), the exactly-once ledger (`ledger`) and
`playbook send` (`command`). Only `command` is imported by the CLI, and it imports the rest
lazily."""

from __future__ import annotations

__all__: list[str] = []
