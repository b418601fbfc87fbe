"""The command line."""

import gc

# A command runs once, in a fresh process, and most of the objects it ever has are the modules it
# imports (SQLAlchemy, numpy, click, papersift's tables and dataclasses): about 100,000 objects that
# live as long as the process. The cyclic collector would scan them again and again while they are
# created, and again in every full collection the command's own work triggers (together about a
# seventh of a warm `papersift digest`). So they are imported with automatic collection paused, then
# frozen (gc.freeze: left out of every later collection); what the command creates afterwards is
# collected as usual. A few hundred objects of import-time garbage stay with them until exit.
_collecting = gc.isenabled()
gc.disable()
try:
    from .main import cli, main
finally:
    gc.freeze()
    if _collecting:
        gc.enable()

__all__ = ["cli", "main"]
