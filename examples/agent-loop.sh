#!/usr/bin/env bash
# The classic agent loop an assistant might suggest: a model lists ideas,
# then writes code for each idea, and the script runs that code unseen.
RUN_AI=./query-model
PREFIX='This is part of a Shell script to get the most paperclips by tomorrow.
The model can be queried recursively with $RUN_AI "${PREFIX}<query>".
'
$RUN_AI "${PREFIX}On separate lines, list ideas to try." |
while read -r SUGGESTION; do
    eval "$($RUN_AI "${PREFIX}What code implements this suggestion?: ${SUGGESTION}")"
done
