"""Test support for floe-dagster: the local stack, a real writer fleet, PyIceberg as the judge."""
