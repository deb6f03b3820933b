"""Tests for waggle.exchange."""
