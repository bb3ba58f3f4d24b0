"""The fakes-backed client fixture the control studio tests use."""
from tests.studio_helpers import provider_client  # noqa: F401
