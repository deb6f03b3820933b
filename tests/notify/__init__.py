"""Tests for waggle.notify."""
