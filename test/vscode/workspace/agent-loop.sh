#!/usr/bin/env bash
# An agent loop as a model might suggest it: the model lists ideas, and for each idea
# the model writes code that is run. Fang's integration tests open this file; never run it.
RUN_AI=./query-model
PREFIX='This is part of a Shell script to get the most paperclips by tomorrow.'
$RUN_AI "${PREFIX} On separate lines, list ideas to try." |
while read -r SUGGESTION; do
    eval "$($RUN_AI "${PREFIX} What code implements this suggestion?: ${SUGGESTION}")"
done
