// Node with the wasm inlined (inline-node.mjs): what bundlers get for a
// Node target (the "module" condition), since they do not copy the .wasm
// next to their output; also `pkcs11-wasm/inline` under Node.
import wasmBase64 from "@gen/wasm-inline";
import extraBase64 from "@gen/wasm-extra-inline";
import { setUpNode, sharedApi } from "./node.js";
import { decodeBase64 } from "./base64.js";
import "./group/load-sync.js"; // token groups: their code in this bundle, evaluated on first use

setUpNode(
  () => decodeBase64(wasmBase64),
  () => decodeBase64(extraBase64),
);

export default sharedApi();
