"""Fill-in-the-middle prompt formats, chosen from the model's own special tokens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FimFormat:
    """How one model family spells "complete between this prefix and this suffix"."""

    name: str
    prefix_token: str
    suffix_token: str
    middle_token: str
    stops: tuple[str, ...]
    spaced: bool = False  # Code Llama: "<PRE> {prefix} <SUF>{suffix} <MID>"

    def render(self, prefix: str, suffix: str) -> str:
        if self.spaced:
            return f"{self.prefix_token} {prefix} {self.suffix_token}{suffix} {self.middle_token}"
        return f"{self.prefix_token}{prefix}{self.suffix_token}{suffix}{self.middle_token}"


#: The sentinels ``ibis-copilot train-codegen`` adds to a model's tokenizer and teaches it;
#: the tuned model ends the middle with its end-of-turn token.
IBIS_COPILOT_FIM = FimFormat(
    "ibis-copilot",
    "<|ibis_fim_prefix|>",
    "<|ibis_fim_suffix|>",
    "<|ibis_fim_middle|>",
    ("<|im_end|>", "<|endoftext|>"),
)

FORMATS = (
    IBIS_COPILOT_FIM,
    FimFormat("codellama", "<PRE>", "<SUF>", "<MID>", ("<EOT>",), spaced=True),
    FimFormat(
        "qwen",
        "<|fim_prefix|>",
        "<|fim_suffix|>",
        "<|fim_middle|>",
        ("<|endoftext|>", "<|fim_pad|>", "<|file_sep|>"),
    ),
    FimFormat(
        "starcoder", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", ("<|endoftext|>", "<file_sep>")
    ),
    FimFormat(
        "deepseek",
        "<｜fim▁begin｜>",
        "<｜fim▁hole｜>",
        "<｜fim▁end｜>",
        ("<｜end▁of▁sentence｜>",),
    ),
)


def detect(vocabulary: Iterable[str]) -> FimFormat | None:
    """The FIM format whose three tokens are all in the vocabulary, if any.

    Code Llama 34B has the tokens but was not trained for FIM (only 7B and 13B were), so
    callers pass a completion model's vocabulary, not the chat model's.
    """
    tokens = set(vocabulary)
    for fim in FORMATS:
        if {fim.prefix_token, fim.suffix_token, fim.middle_token} <= tokens or (
            fim.spaced and {"▁<PRE>", "▁<SUF>", "▁<MID>"} <= tokens
        ):
            return fim
    return None
