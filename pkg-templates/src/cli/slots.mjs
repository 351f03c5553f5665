// `slots` (softhsm2-util --show-slots) and `mechanisms` (pkcs11-tool -M).
import { SLOT_OPTIONS } from "./args.mjs";
import { describe } from "./errors.mjs";
import { MECHANISM_FLAGS, TOKEN_FLAGS, flagWords, mechanismName } from "./names.mjs";
import { print, printJson, table } from "./output.mjs";

/** Public objects of a token, counted in a read-only session (no login). */
function publicObjects(t, slot) {
  const s = t.session(slot);
  try {
    t.p.C_FindObjectsInit(s, []);
    let n = 0;
    for (;;) {
      const got = t.p.C_FindObjects(s, 10_000).length;
      n += got;
      if (got < 10_000) break;
    }
    t.p.C_FindObjectsFinal(s);
    return n;
  } finally {
    t.p.C_CloseSession(s);
  }
}

function slotRow(t, s) {
  const storage = { kind: s.storage.kind, name: s.storage.name };
  if (s.error) return { id: s.id, token: null, state: "error", error: describe(s.error).code ?? describe(s.error).message, storage };
  if (!s.token) return { id: s.id, token: null, state: "free", storage };
  const i = s.token;
  return {
    id: s.id,
    state: "token",
    token: {
      label: i.label.trimEnd(),
      serial: i.serialNumber.trimEnd(),
      model: i.model.trimEnd(),
      manufacturer: i.manufacturerID.trimEnd(),
      flags: flagWords(t.lib, i.flags, TOKEN_FLAGS),
      minPinLen: i.minPinLen,
      maxPinLen: i.maxPinLen,
      publicObjects: publicObjects(t, s),
    },
    storage,
  };
}

async function slots(t) {
  const rows = t.slots().map((s) => ({ row: slotRow(t, s), storageText: s.storage.text }));
  if (t.opts.json) return printJson({ slots: rows.map((r) => r.row) });
  const body = rows.map(({ row, storageText }) => {
    if (!row.token) {
      const what = row.state === "free" ? "(free: no token)" : `(unusable: ${row.error})`;
      return [String(row.id), what, "", "", "", storageText];
    }
    const tk = row.token;
    return [String(row.id), tk.label, tk.serial, tk.flags.join(","), `${tk.publicObjects} public`, storageText];
  });
  print(table(["slot", "label", "serial", "flags", "objects", "storage"], body));
}

async function mechanisms(t) {
  const C = t.lib;
  const slot = t.slot("any");
  const list = t.p.C_GetMechanismList(slot.handle).map((m) => {
    const info = t.p.C_GetMechanismInfo(slot.handle, m);
    return { name: mechanismName(C, m), value: m, minKeySize: info.minKeySize, maxKeySize: info.maxKeySize, functions: flagWords(C, info.flags, MECHANISM_FLAGS) };
  });
  if (t.opts.json) return printJson({ slot: slot.id, mechanisms: list });
  const body = list.map((m) => [m.name, m.minKeySize || m.maxKeySize ? `${m.minKeySize}-${m.maxKeySize}` : "-", m.functions.join(",")]);
  print(table(["mechanism", "key size", "functions"], body));
}

export default [
  {
    name: "slots",
    aliases: ["show-slots", "list-slots"],
    summary: "show the configured slots and their tokens",
    usage: "pkcs11-wasm slots [--directory DIR | --config FILE] [--json]",
    description: [
      "One line per slot: slot id, token label, serial, token flags in words, public",
      "objects (private ones are counted only after a login: see `objects --login`),",
      "and where the token is stored. Needs no PIN.",
    ],
    options: {},
    examples: ["pkcs11-wasm slots --directory ./token", "PKCS11_WASM_CONF=tokens.json pkcs11-wasm slots --json"],
    run: slots,
  },
  {
    name: "mechanisms",
    aliases: ["list-mechanisms"],
    summary: "list the mechanisms a token offers, with key sizes and functions",
    usage: "pkcs11-wasm mechanisms [--slot S] [--json]",
    options: { ...SLOT_OPTIONS },
    examples: ["pkcs11-wasm mechanisms --directory ./token"],
    run: mechanisms,
  },
];
