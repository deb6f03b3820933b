"""Tests for waggle.spaces."""
