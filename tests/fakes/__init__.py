"""Loopback fake provider servers speaking the wire contracts of contract/providers.md.

Each fake records every request and can be scripted (fail N times, hang, answer with a
malformed body); `tests.fakes.fixtures` exposes them as pytest fixtures.
"""
