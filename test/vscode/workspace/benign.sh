#!/bin/bash
# Benign look-alikes Fang must stay quiet about.
eval "$(ssh-agent -s)"
source ~/.bashrc
answer=$(llm "summarise the README")
printf '%s\n' "$answer"
