"""Tests for waggle.value."""
