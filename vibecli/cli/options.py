"""Options shared by several commands, declared once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

MODEL = "Model"
OUTPUT = "Output"

Model = Annotated[Optional[str], typer.Option("--model", help="Path to any GGUF model (default: the embedded gemma-3-270m).", rich_help_panel=MODEL)]
Backend = Annotated[Optional[str], typer.Option("--backend", help="llama (llama.cpp in process) or replay.", rich_help_panel=MODEL)]
ReplayFile = Annotated[Optional[str], typer.Option("--replay-file", help="JSON Lines of scripted answers for --backend replay.", rich_help_panel=MODEL)]
Threads = Annotated[Optional[int], typer.Option("--threads", help="CPU threads for llama.cpp (default: all cores).", rich_help_panel=MODEL)]
GpuLayers = Annotated[Optional[int], typer.Option("--gpu-layers", help="Layers to offload to a GPU; -1 = all (needs a GPU build of llama-cpp-python).", rich_help_panel=MODEL)]
Seed = Annotated[Optional[int], typer.Option("--seed", help="Sampling seed.", rich_help_panel=MODEL)]
MaxTokens = Annotated[Optional[int], typer.Option("--max-tokens", help="Most tokens to generate for one answer.", rich_help_panel=MODEL)]
Json = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.", rich_help_panel=OUTPUT)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (and --json output).", rich_help_panel=OUTPUT)]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show llama.cpp's own log and more detail.", rich_help_panel=OUTPUT)]

EXIT_CODES_HELP = (
    "Exit codes: 0 applied or nothing to change; 1 error (bad input, config, model); 2 usage; "
    "3 model output rejected after retries; 5 refused for safety."
)
