"""Tests for waggle.people."""
