#!/usr/bin/env node
'use strict';
// Entry point for `npx hearth`: compiles on first use so that a fresh clone needs no extra step.
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(main)) require('../scripts/build.js').build();
require(main);
