#!/usr/bin/env node
'use strict';
// Node >= 22 keeps compiled JavaScript between runs (a hook starts this process on every agent
// command); on Node 20 the call does not exist and nothing changes.
require('node:module').enableCompileCache?.();
require('../dist/cli.js').run();
