"""Kernel side: everything that touches live user objects. Never imports server code."""
