#!/bin/bash
# One model answer run through eval. Used by the quick-fix tests; never run it.
eval "$(llm "write a command that frees disk space")"
echo done
