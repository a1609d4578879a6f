"""Workflows (chat, and next: complete, convert, explain) built on the model and the
knowledge base. Plain Python: the server's handlers only translate HTTP to these."""
