"""Options shared by several commands, declared once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

MODEL = "Model"
OUTPUT = "Output"

Model = Annotated[Optional[str], typer.Option("--model", help="Path to any GGUF model (default: the embedded gemma-3-270m).", rich_help_panel=MODEL)]
Adapter = Annotated[Optional[str], typer.Option("--adapter", help="A GGUF LoRA adapter (from `vibecli train`) applied over the model; `none` for none (default: the shipped adapter over the embedded model).", rich_help_panel=MODEL)]
Backend = Annotated[Optional[str], typer.Option("--backend", help="llama (llama.cpp in process), replay, openai (an OpenAI-compatible server) or a profile name from `backends:`.", rich_help_panel=MODEL)]
ReplayFile = Annotated[Optional[str], typer.Option("--replay-file", help="JSON Lines of scripted answers for --backend replay.", rich_help_panel=MODEL)]
Threads = Annotated[Optional[int], typer.Option("--threads", help="CPU threads for llama.cpp (default: all cores).", rich_help_panel=MODEL)]
GpuLayers = Annotated[Optional[int], typer.Option("--gpu-layers", help="Layers to offload to a GPU; -1 = all (needs a GPU build of llama-cpp-python).", rich_help_panel=MODEL)]
Seed = Annotated[Optional[int], typer.Option("--seed", help="Sampling seed.", rich_help_panel=MODEL)]
MaxTokens = Annotated[Optional[int], typer.Option("--max-tokens", help="Most tokens to generate for one answer.", rich_help_panel=MODEL)]
Json = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.", rich_help_panel=OUTPUT)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (and --json output).", rich_help_panel=OUTPUT)]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show llama.cpp's own log and more detail.", rich_help_panel=OUTPUT)]

EXIT_CODES_HELP = (
    "Exit codes: 0 applied, nothing to fix (`fix`: the checks pass) or declined at the prompt; 1 error (bad input, "
    "config, model); 2 usage; 3 not carried out: the model's answers were rejected, or changed nothing, after every "
    "attempt; 4 checks still failing; 5 refused for safety or needs confirmation; 130/143 interrupted, nothing changed (after the commit landed: 0, and the report says so). "
    "`fix --check`: 1 when it would change files."
)

CHECKS = "Checks"
EDIT = "Edit"

MaxAttempts = Annotated[Optional[int], typer.Option("--max-attempts", help="Answers to try before exit 3.", rich_help_panel=EDIT)]
Grammar = Annotated[Optional[str], typer.Option("--grammar", help="lazy (default), always or off.", rich_help_panel=EDIT)]
Format = Annotated[Optional[str], typer.Option("--format", help="Edit format: auto (default: whole for small files, else symbol), symbol, search or whole.", rich_help_panel=EDIT)]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Never ask before writing (overrides confirm: true).", rich_help_panel=EDIT)]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the diff; write and commit nothing.", rich_help_panel=EDIT)]
NoCommit = Annotated[bool, typer.Option("--no-commit", help="Leave the change in the work tree.", rich_help_panel=EDIT)]
AllowDirty = Annotated[bool, typer.Option("--allow-dirty", help="Edit files with uncommitted changes (then not committed).", rich_help_panel=EDIT)]
NoGit = Annotated[bool, typer.Option("--no-git", help="Work outside git: nothing is checked against or committed to git.", rich_help_panel=EDIT)]
InstructionFile = Annotated[Optional[str], typer.Option("--instruction-file", help="Read the instruction from this file.", rich_help_panel=EDIT)]
Candidates = Annotated[Optional[int], typer.Option("--candidates", help="Answers asked for at each attempt, 1 to 16 (default 1): the first greedy, the others sampled; the checks, or their agreement, pick one.", rich_help_panel=EDIT)]
Select = Annotated[Optional[str], typer.Option("--select", help="Without checks, how a candidate is picked: agree (default: the largest group with the same code) or greedy.", rich_help_panel=EDIT)]
LintCmd = Annotated[Optional[str], typer.Option("--lint-cmd", help="Lint command run after the edit; failures go back to the model.", rich_help_panel=CHECKS)]
TestCmd = Annotated[Optional[str], typer.Option("--test-cmd", help="Test command run after the lint command.", rich_help_panel=CHECKS)]
MaxRounds = Annotated[Optional[int], typer.Option("--max-rounds", help="Edits to try against failing checks before exit 4.", rich_help_panel=CHECKS)]
KeepFailed = Annotated[bool, typer.Option("--keep-failed", help="When the checks still fail, leave the last attempt uncommitted.", rich_help_panel=CHECKS)]

TrustProject = Annotated[bool, typer.Option("--trust-project", help="Trust the project's .vibecli.yaml for this run (its checks, endpoint, backends), as `vibecli trust` does for good; VIBECLI_TRUST_PROJECT=1 too.", rich_help_panel=CHECKS)]

Timeout = Annotated[Optional[int], typer.Option("--timeout", help="Seconds the model may take over the whole run.", rich_help_panel=MODEL)]
JsonLines = Annotated[bool, typer.Option("--json-lines", help="Stream events as JSON Lines on stdout; the last is `done` with the report.", rich_help_panel=OUTPUT)]

FitCheck = Annotated[Optional[bool], typer.Option("--fit-check/--no-fit-check", help="Refuse a model that would not fit in free memory (default), or load it anyway.", rich_help_panel=MODEL)]
Fixers = Annotated[Optional[bool], typer.Option("--fixers/--no-fixers", help="Carry out requests an exact tool does (ruff's fixes, a rename) with that tool before asking the model (default), or always ask the model.", rich_help_panel=EDIT)]
Endpoint = Annotated[Optional[str], typer.Option("--endpoint", help="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.", rich_help_panel=MODEL)]
EndpointModel = Annotated[Optional[str], typer.Option("--endpoint-model", help="The model name to ask that server for.", rich_help_panel=MODEL)]
Route = Annotated[Optional[str], typer.Option("--route", help="local (only --backend), remote (only the `remote` backend) or auto (local first; on exit 3 or 4, the remote one).", rich_help_panel=MODEL)]

SETTING_FLAGS = (
    "model", "adapter", "backend", "replay_file", "threads", "gpu_layers", "seed", "max_tokens", "max_attempts",
    "grammar", "edit_format", "lint_cmd", "test_cmd", "max_rounds", "timeout", "endpoint", "endpoint_model", "route",
    "fit_check", "candidates", "select", "fixers",
)
"""Command-line options that are also settings (the highest layer)."""
