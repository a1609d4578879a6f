"""Knowledge base: sources of Ibis knowledge, chunking, embeddings, store and retrieval.

Server side and CLI only; the kernel never imports it.
"""
