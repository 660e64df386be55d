#!/usr/bin/env node
import 'reflect-metadata';
import { reportFailure } from './fail';
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.exitCode = reportFailure(error, process.argv.includes('--debug'));
  });
