"""Code models: the generator protocol, its backends, and the scheduler that shares one.

Server side and CLI only; GPU packages are imported lazily, never by a CPU install.
"""
