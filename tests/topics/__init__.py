"""Tests for waggle.topics."""
