#!/usr/bin/env node
/**
 * The `cdk-cross-account-roles` executable (the package's `bin`).
 */
import { runCli } from './cli';

process.exitCode = runCli(process.argv.slice(2));
