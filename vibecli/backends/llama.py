"""llama.cpp in process, through llama-cpp-python. The model loads once per process."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable, Iterator

from vibecli.backends.bounds import DEFAULT_CALL_TIMEOUT, Bound
from vibecli.backends.kv_cache import LlamaPrefixStore, PromptCache
from vibecli.backends.llama_lib import grammar_is_valid, quiet_stderr, weights_not_repacked
from vibecli.backends.lookup import CHUNK, GreedyDecoder, last_boundary
from vibecli.backends.prompt_text import flatten
from vibecli.backends.stops import StopScanner
from vibecli.core import (
    CANDIDATE_TEMPERATURE,
    CANDIDATE_TOP_P,
    Backend,
    Candidate,
    Candidates,
    Generation,
    Message,
    Usage,
    VibeError,
    candidate_seeds,
    one_call_each,
)

_CTX_STEP = 512
MAX_SEQUENCES = 16
"""The most answers one context decodes together: each holds a KV stream of its own."""


class LlamaCppBackend(Backend):
    name = "llama"
    max_candidates = MAX_SEQUENCES
    """generate_many decodes up to this many answers together, from one evaluation of the prompt."""
    takes_prefill = True
    """generate(prompt, prefill=...): the model's chat template wraps the prompt, not the prefill."""
    takes_grammar = True

    def __init__(
        self,
        model_path: Path,
        *,
        model_name: str,
        model_sha256: str,
        context_length: int | None,
        threads: int | None = None,
        gpu_layers: int = 0,
        seed: int = 0,
        temperature: float = 0.0,
        verbose: bool = False,
        acquire: Callable[[], None] | None = None,
        prompt_cache: PromptCache | None = None,
        lookup: str | bool = "off",
        before_load: Callable[[int], None] | None = None,
        adapter: Path | None = None,
        adapter_scale: float = 1.0,
        probe_file: Path | None = None,
        draft_costs: list[float] | None = None,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        sequences: int = 1,
        embedded: bool = False,
    ):
        self.model_path = model_path
        self.embedded = embedded
        """Whether this is the embedded model, over which vibecli's own adapters were trained."""
        self.model_location = str(model_path)
        self.model_name = model_name
        self.model_sha256 = model_sha256
        self.context_length: int = context_length or 4096
        self.threads = threads
        self.gpu_layers = gpu_layers
        self.seed = seed
        self.temperature = temperature
        self.verbose = verbose
        self._acquire = acquire
        self.prompt_cache = prompt_cache
        self.lookup = {True: "on", False: "off"}.get(lookup, lookup)
        """`on`, `off`, or `auto`: drafts only where `lookup.batch_invariant` says they cannot change the output."""
        self.lookup_exact: bool | None = None
        """The probe's verdict for this build and model (None until `auto` asks for it at load)."""
        self.draft_costs: list[float] | None = draft_costs
        """What a checking batch of 1..DRAFT_MAX + 1 rows costs here, relative to one row: measured
        once per build, model and thread count when drafts are first used (`lookup.draft_costs`)."""
        self._probe_file = probe_file
        self._prefix = LlamaPrefixStore(prompt_cache, CHUNK) if prompt_cache is not None else None
        self.decoder_stats = {"drafted": 0, "accepted": 0, "decodes": 0}
        self._before_load = before_load
        """Called with n_ctx before each load (the fit check: it raises to refuse)."""
        self.adapter = adapter
        """A GGUF LoRA adapter, checked against the model (backends.adapter) before it gets here."""
        self.adapter_scale = adapter_scale
        self.call_timeout = call_timeout
        self.sequences = max(1, min(sequences, MAX_SEQUENCES))
        """Sequences the context is made for: the most candidates asked for (`generate_many`), so
        that the first load already fits them; raised when a call asks for more."""
        self._exact_sizes: dict[int, frozenset[int]] = {}
        self._llm = None
        self._n_ctx = 0
        """Cells per sequence."""
        self._loaded_sequences = 0
        self._unreported_load_s = 0.0
        self._chat = None
        """The model's ChatTemplate; False when its GGUF has none; None before the first load."""

    def picker(self, adapter: Path):
        """A second small context over this model for constrained choices (the fixers' model
        route), with `adapter`; None when it would not fit: vibecli's adapters are trained over the
        embedded model only."""
        if not self.embedded or not adapter.is_file():
            return None
        if self._acquire is not None:
            self._acquire()
            self._acquire = None
        from vibecli.backends.pick import Picker

        return Picker(self.model_path, adapter, self.threads, verbose=self.verbose)

    def _load(self, n_ctx: int) -> float:
        """(Re)create the llama.cpp context with `n_ctx` cells for each of `self.sequences`
        sequences; returns seconds spent."""
        from vibecli.backends.candidates import streams
        started = time.perf_counter()
        if self._acquire is not None:
            self._acquire()
            self._acquire = None
        import llama_cpp

        logging.getLogger("llama-cpp-python").setLevel(logging.DEBUG if self.verbose else logging.CRITICAL + 1)
        self._llm = None
        sequences = self.sequences
        if self._before_load is not None:
            self._before_load(n_ctx * sequences)
        try:
            with quiet_stderr(not self.verbose), weights_not_repacked(), streams(sequences):
                self._llm = llama_cpp.Llama(
                    model_path=str(self.model_path),
                    n_ctx=n_ctx * sequences,
                    n_threads=self.threads,
                    n_threads_batch=self.threads,
                    n_gpu_layers=self.gpu_layers,
                    seed=self.seed,
                    logits_all=False,
                    lora_path=str(self.adapter) if self.adapter else None,
                    lora_scale=self.adapter_scale,
                    verbose=self.verbose,
                )
        except (ValueError, RuntimeError) as exc:
            raise VibeError(f"llama.cpp could not load {self.model_path}: {exc}") from None
        if self.lookup == "auto" and self.lookup_exact is None:
            from vibecli.backends.lookup import exact_lookup

            self.lookup_exact = exact_lookup(self._llm, str(self.model_path),
                                             str(self.adapter) if self.adapter else None, self._probe_file)
        self._n_ctx = n_ctx
        self._loaded_sequences = sequences
        return time.perf_counter() - started

    def count_tokens(self, text: str) -> int:
        """Tokens of a text in this model's own vocabulary (loads the model on first use)."""
        if self._llm is None:  # sized as for a prompt twice this long: the map and the answer come on top
            self._unreported_load_s += self._load(self._context_for(2 * len(text.encode("utf-8")), 1024))
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _context_for(self, prompt_bytes: int, max_tokens: int) -> int:
        # Code tokenizes to about 3-4 bytes a token; half the bytes is a safe first guess,
        # checked against the real token count after loading.
        # Half again on top leaves room for the retry prompts that quote a rejected answer.
        wanted = (prompt_bytes // 2 + max_tokens) * 3 // 2
        return min(self.context_length, -(-wanted // _CTX_STEP) * _CTX_STEP)

    def generate(
        self,
        prompt: str | list[Message],
        *,
        grammar: str | None = None,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float | None = None,
        seed: int | None = None,
        prefill: str = "",
    ) -> Generation:
        usage = Usage()
        temp = self.temperature if temperature is None else temperature
        seed = self.seed if seed is None else seed
        return Generation(self._stream(flatten(prompt), prefill, grammar, stop or [], max_tokens, temp, seed, usage),
                          usage)

    def generate_many(
        self,
        prompt: str | list[Message],
        n: int,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float = CANDIDATE_TEMPERATURE,
        top_p: float = CANDIDATE_TOP_P,
        seeds: list[int] | None = None,
        grammar: str | None = None,
        on_progress: Callable[[list[Candidate]], bool | None] | None = None,
        looping: Callable[[str], bool] | None = None,
        prefill: str = "",
    ) -> Candidates:
        """`Backend.generate_many`, decoded together (`candidates`). n = 1 is `generate` at temperature
        0 (prompt-lookup drafts where on), without a log-probability; under a grammar the answers
        are decoded one after another, sampled by llama-cpp-python's sampler (`top_p` not applied)."""
        if n == 1 or grammar:
            return one_call_each(self, prompt, n, stop=stop, max_tokens=max_tokens, temperature=temperature,
                                 seeds=seeds, grammar=grammar, on_progress=on_progress, looping=looping,
                                 prefill=prefill)
        from vibecli.backends.candidates import Options, generate_many

        options = Options(stop or [], max_tokens, temperature, top_p, candidate_seeds(self.seed, n, seeds),
                          on_progress, looping)
        return generate_many(self, flatten(prompt), prefill, n, options)

    def _stream(
        self, text: str, prefill: str, grammar: str | None, stop: list[str], max_tokens: int, temp: float, seed: int,
        usage: Usage,
    ) -> Iterator[str]:
        tokens, stop, max_tokens = self._prepare(text, prefill, stop, max_tokens, usage)
        yield from self._decode(tokens, grammar, stop, max_tokens, temp, seed, usage)

    def _prepare(self, text: str, prefill: str, stop: list[str], max_tokens: int, usage: Usage,
                 sequences: int = 1) -> tuple[list[int], list[str], int]:
        """Load or resize the context for this prompt (with `sequences` sequences at least); the
        prompt's tokens, the stop strings, and max_tokens cut to the room left in a sequence."""
        if sequences > self.sequences:
            self.sequences = sequences
        if self._llm is None or self._loaded_sequences < self.sequences:
            usage.load_s += self._load(self._context_for(len((text + prefill).encode("utf-8")), max_tokens))
        tokens, stop = self._model_input(text, prefill, stop)
        needed = len(tokens) + max_tokens
        if needed > self._n_ctx:
            if len(tokens) + 16 > self.context_length:
                raise VibeError(
                    f"the prompt has {len(tokens)} tokens; the model's context holds {self.context_length}: "
                    "name fewer or smaller files"
                )
            usage.load_s += self._load(min(self.context_length, -(-needed // _CTX_STEP) * _CTX_STEP))
        usage.prompt_tokens = len(tokens)
        usage.load_s += self._unreported_load_s
        self._unreported_load_s = 0.0
        return tokens, stop, min(max_tokens, self._n_ctx - len(tokens))

    def _model_input(self, text: str, prefill: str, stop: list[str]) -> tuple[list[int], list[str]]:
        """Tokens for the prompt: through the model's chat template when its GGUF has one (and then
        also stopping at the template's end-of-sequence text), as plain text to complete otherwise."""
        from vibecli.backends.chat_format import chat_tokens, template_for

        if self._chat is None:
            self._chat = template_for(self._llm)
        if not self._chat:
            return self._llm.tokenize((text + prefill).encode("utf-8"), add_bos=True, special=False), stop
        tokens = chat_tokens(self._chat, text, prefill, self._llm.tokenize)
        return tokens, (stop + [self._chat.eos_token] if self._chat.eos_token else stop)

    def _decode(self, tokens: list[int], grammar: str | None, stop: list[str], max_tokens: int, temp: float, seed: int,
                usage: Usage):
        import llama_cpp

        llm = self._llm
        compiled = None
        if grammar:
            # a grammar llama.cpp cannot parse would give a null sampler and crash the process
            if not grammar_is_valid(llm._model.vocab, grammar):
                raise VibeError("internal error: llama.cpp rejected the envelope grammar")
            compiled = llama_cpp.LlamaGrammar.from_string(grammar, verbose=self.verbose)
        greedy = temp <= 0
        # Llama(seed=0) means "random" to llama-cpp-python; set_seed takes the value as it is
        llm.set_seed(seed)
        if greedy and compiled is None and self.drafts and self.draft_costs is None:
            # once per build, model and thread count, counted as loading; it empties the
            # context, so before anything is restored into it
            usage.load_s += self._measure_draft_costs()
        started = time.perf_counter()
        first_at = None
        scanner = StopScanner(stop)
        usage.finish = "cancelled"
        bound = Bound(max_tokens, self.call_timeout, self.model_name)  # max_tokens is counted below, exactly
        reused = self._prefix.restore(llm, tokens, last_boundary(len(tokens))) if self._prefix is not None else None
        try:
            for count, token in enumerate(self._tokens(tokens, reused, greedy and compiled is None, temp, compiled), 1):
                if first_at is None:
                    first_at = time.perf_counter()
                    usage.prompt_eval_s = first_at - started
                usage.completion_tokens = count
                bound.check_time()
                if llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
                    usage.finish = "eog"
                    break
                out = scanner.feed(llm.detokenize([token]))
                if out:
                    yield out
                if scanner.stopped:
                    usage.finish = "stop"
                    break
                if count >= max_tokens:
                    usage.finish = "length"
                    break
            rest = scanner.flush()
            if rest:
                yield rest
        finally:
            if first_at is not None:
                usage.generate_s = time.perf_counter() - first_at

    def _measure_draft_costs(self) -> float:
        """Measure (or read) what checking batches cost here; returns seconds spent."""
        from vibecli.backends.lookup import draft_costs

        started = time.perf_counter()
        costs_file = self._probe_file.with_name("lookup-costs.json") if self._probe_file else None
        self.draft_costs = draft_costs(self._llm, str(self.model_path), str(self.adapter) if self.adapter else None,
                                       costs_file)
        return time.perf_counter() - started

    @property
    def drafts(self) -> bool:
        """Whether greedy answers use prompt-lookup drafts."""
        return self.lookup == "on" or (self.lookup == "auto" and bool(self.lookup_exact))

    def _tokens(self, tokens: list[int], reused: int | None, plain_greedy: bool, temp: float, grammar):
        """Greedy decoding without a grammar runs on our own loop (prompt-lookup drafts when on);
        anything sampled or constrained goes through llama-cpp-python's sampler."""
        decoder = GreedyDecoder(self._llm)
        decoder.costs = self.draft_costs
        if self._prefix is not None:
            decoder.on_boundary = lambda n: self._prefix.checkpoint(self._llm, n)
        if plain_greedy:
            try:
                yield from decoder.tokens(tokens, lookup=self.drafts, reused=reused)
            finally:
                for key in self.decoder_stats:
                    self.decoder_stats[key] += getattr(decoder, key)
            return
        # the same chunks as the greedy path, so that the prompt cache sees one schedule
        decoder.prefill(tokens, reused)
        greedy = temp <= 0
        yield from self._llm.generate(
            tokens,
            temp=temp,
            top_k=1 if greedy else 40,
            top_p=1.0 if greedy else 0.95,
            min_p=0.0 if greedy else 0.05,
            repeat_penalty=1.0,
            grammar=grammar,
        )

