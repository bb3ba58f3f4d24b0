"""The fakes-backed client fixture the edit studio tests use."""
from tests.studio_helpers import provider_client  # noqa: F401
