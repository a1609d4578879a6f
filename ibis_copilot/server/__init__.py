"""Server side: the Jupyter server extension. Never executes user code."""
