"""ibis-copilot as a Model Context Protocol server: its docs search, the installed Ibis API,
Ibis → SQL, the checker and the repair rules as tools for any agent.

Served over stdio by ``ibis-copilot mcp`` and over streamable HTTP inside the Jupyter
server at ``/ibis-copilot/mcp`` (:mod:`ibis_copilot.server.mcp_handler`). Code passed to a
tool is judged by the syntax allowlist and runs only in the check process.
"""
