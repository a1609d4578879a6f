"""The repair engine: rules, source rewrites, the check process and their orchestration.

Pure Python over code, errors and schemas: used by the kernel's exception hook,
``ibis-copilot fix`` and the benchmarks alike. It never imports server code.
"""
