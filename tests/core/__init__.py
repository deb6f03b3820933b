"""Tests for waggle.core."""
