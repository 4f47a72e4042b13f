"""Verification on a Ray cluster: a driver the studio talks to, and one actor per device.

The studio stays the driver on the workstation (model calls never leave it); each actor keeps a
warm `akg_harness serve` worker (supervisor, sandboxed executor) on its node and relays the same
JSON-lines protocol, so a verdict from the cluster is the same document as a local one.
"""
