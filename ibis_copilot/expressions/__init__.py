"""Live Ibis expressions: find them in a namespace, run a snippet, compile them to SQL.

Shared by the kernel, the CLI and the repair engine; never imports server code.
"""
