#!/usr/bin/env node
// The batteries-included package's command is the CLI's own entry point: same flags, output and exit codes.
import '@polymodal/cli/bin/polymodal.js';
