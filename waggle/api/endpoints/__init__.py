"""The API operations, one module per capability; `waggle.api.api` mounts them.

These modules leave out `from __future__ import annotations` on purpose: ninja reads the
parameter annotations (`Query[...]`, schemas) at import time and needs them as real types.
"""
