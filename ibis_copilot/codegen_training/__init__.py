"""Training data and full fine-tuning for the Ibis code model (``ibis-copilot train-codegen``).

- :mod:`.example`: one training example, whatever its origin;
- :mod:`.schemas`: generated table schemas and their rows;
- :mod:`.synthetic`: Ibis expressions over those schemas, kept only when they build,
  compile with ``ibis.to_sql`` and run on DuckDB;
- :mod:`.mined`: code blocks of the docs and docstring examples of the installed API;
- :mod:`.hygiene`: held-out splits and deduplication against every evaluation set;
- :mod:`.formats`: fill-in-the-middle and chat renderings, token ids and loss masks;
- :mod:`.trainer`: the training loop (every weight), checkpoints, resume, model card.
"""
