#!/usr/bin/env node
// `pkcs11-wasm`: the command line of the package (see cli/main.mjs).
import { main } from "../cli/main.mjs";

process.exit(await main(process.argv.slice(2)));
