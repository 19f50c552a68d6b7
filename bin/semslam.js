#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx: no build step between an edit and the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/main.ts');
