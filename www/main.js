// Placeholder playground: loads the browser build of pkcs11-wasm and runs a
// short seed scenario, showing each Cryptoki call and what it returned.
import * as pkcs11js from "/pkg/browser.mjs";

const {
  init,
  PKCS11,
  CKF_SERIAL_SESSION,
  CKF_RW_SESSION,
  CKU_SO,
  CKU_USER,
  CKO_SECRET_KEY,
  CKA_CLASS,
  CKA_LABEL,
  CKA_VALUE_LEN,
  CKA_ENCRYPT,
  CKA_DECRYPT,
  CKA_TOKEN,
  CKM_AES_KEY_GEN,
  CKM_AES_GCM,
  CK_PARAMS_AES_GCM,
} = pkcs11js;

const SO_PIN = "so-pin-1234";
const USER_PIN = "user-pin-1234";
// Low on purpose so the demo is instant; the default is 600,000.
const LIBRARY_PARAMETERS = JSON.stringify({ kdfIterations: 10000 });

const list = document.getElementById("steps");
const status = document.getElementById("status");
const rerun = document.getElementById("rerun");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const hex = (bytes, max = 32) => {
  const all = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, "0")).join("");
  return bytes.length > max ? `${all}… (${bytes.length} bytes)` : all;
};
/** A handle (8-byte little-endian Buffer) as "kind 0x…". */
const handle = (h, kind) => `${kind} 0x${hex(Uint8Array.from(h).reverse()).replace(/^0+(?=.)/, "")}`;
const trim = (s) => s.replace(/[\s\0]+$/, "");

function row(call) {
  const li = document.createElement("li");
  const code = document.createElement("div");
  code.className = "call";
  code.textContent = call;
  const result = document.createElement("div");
  result.className = "result";
  result.textContent = "…";
  li.append(code, result);
  list.append(li);
  return { li, result };
}

function finish(r, ok, text, ms) {
  r.li.className = ok ? "ok" : "error";
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = ok ? "ok" : "error";
  const detail = document.createElement("span");
  detail.className = "detail";
  detail.textContent = text ? `→ ${text}` : "";
  const time = document.createElement("span");
  time.className = "time";
  time.textContent = `${ms.toFixed(1)} ms`;
  r.result.replaceChildren(tag, detail, time);
}

/** Runs one step: `call` is what the list shows, `fn` returns a description. */
async function step(call, fn) {
  const r = row(call);
  const t0 = performance.now();
  try {
    const text = await fn();
    finish(r, true, text, performance.now() - t0);
  } catch (e) {
    const code = typeof e?.code === "number" ? ` (0x${e.code.toString(16)})` : "";
    finish(r, false, `${e?.name ?? "Error"}: ${e?.message ?? e}${code}`, performance.now() - t0);
    throw e;
  }
}

async function scenario(p11) {
  let slot, session, key, iv, sealed;
  const aad = encoder.encode("seed scenario");
  const message = "Hello from a PKCS#11 token in WebAssembly";
  const gcm = () => ({ mechanism: CKM_AES_GCM, parameter: { type: CK_PARAMS_AES_GCM, iv, aad, tagBits: 128 } });

  await step(`C_Initialize({ libraryParameters: '${LIBRARY_PARAMETERS}' })`, () => {
    p11.C_Initialize({ libraryParameters: LIBRARY_PARAMETERS });
  });
  await step("C_GetInfo()", () => {
    const info = p11.C_GetInfo();
    return `${trim(info.manufacturerID)} / ${trim(info.libraryDescription)} ${info.libraryVersion.major}.${info.libraryVersion.minor}`;
  });
  await step("C_GetSlotList(false)", () => {
    const slots = p11.C_GetSlotList(false);
    slot = slots[0];
    return `[${slots.map((h) => handle(h, "slot")).join(", ")}]`;
  });
  await step(`C_InitToken(slot, "${SO_PIN}", "playground")`, () => {
    p11.C_InitToken(slot, SO_PIN, "playground");
  });
  await step("C_GetTokenInfo(slot)", () => {
    const t = p11.C_GetTokenInfo(slot);
    return `label "${trim(t.label)}", flags 0x${t.flags.toString(16)}`;
  });
  await step("C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION)", () => {
    session = p11.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
    return handle(session, "session");
  });
  await step(`C_Login(session, CKU_SO, "${SO_PIN}")`, () => {
    p11.C_Login(session, CKU_SO, SO_PIN);
  });
  await step(`C_InitPIN(session, "${USER_PIN}")`, () => {
    p11.C_InitPIN(session, USER_PIN);
  });
  await step("C_Logout(session)", () => {
    p11.C_Logout(session);
  });
  await step(`C_Login(session, CKU_USER, "${USER_PIN}")`, () => {
    p11.C_Login(session, CKU_USER, USER_PIN);
  });
  await step("C_GenerateKey(session, { mechanism: CKM_AES_KEY_GEN }, [CKA_VALUE_LEN 32, CKA_ENCRYPT, CKA_DECRYPT, …])", () => {
    key = p11.C_GenerateKey(session, { mechanism: CKM_AES_KEY_GEN }, [
      { type: CKA_CLASS, value: CKO_SECRET_KEY },
      { type: CKA_TOKEN, value: false },
      { type: CKA_LABEL, value: "demo AES-256 key" },
      { type: CKA_VALUE_LEN, value: 32 },
      { type: CKA_ENCRYPT, value: true },
      { type: CKA_DECRYPT, value: true },
    ]);
    return handle(key, "key");
  });
  await step("C_GenerateRandom(session, new Uint8Array(12))", () => {
    iv = p11.C_GenerateRandom(session, new Uint8Array(12));
    return `IV ${hex(iv)}`;
  });
  await step("C_EncryptInit(session, { mechanism: CKM_AES_GCM, parameter: { iv, aad, tagBits: 128 } }, key)", () => {
    p11.C_EncryptInit(session, gcm(), key);
  });
  await step(`C_Encrypt(session, "${message}", out)`, () => {
    const data = encoder.encode(message);
    sealed = p11.C_Encrypt(session, data, new Uint8Array(data.length + 16));
    return `${hex(sealed)} (ciphertext + 16-byte tag)`;
  });
  await step("C_DecryptInit(session, { mechanism: CKM_AES_GCM, … }, key)", () => {
    p11.C_DecryptInit(session, gcm(), key);
  });
  await step("C_Decrypt(session, ciphertext, out)", () => {
    const plain = decoder.decode(p11.C_Decrypt(session, sealed, new Uint8Array(sealed.length)));
    if (plain !== message) throw new Error(`round trip mismatch: "${plain}"`);
    return `"${plain}"`;
  });
  await step("C_CloseSession(session); C_Finalize()", () => {
    p11.C_CloseSession(session);
    p11.C_Finalize();
  });
}

async function run() {
  rerun.disabled = true;
  list.replaceChildren();
  status.textContent = "Running…";
  const p11 = new PKCS11();
  try {
    await scenario(p11);
    status.textContent = `Done: ${list.children.length} calls, all succeeded.`;
  } catch {
    status.textContent = "Stopped at the first failing call (shown in red).";
  } finally {
    p11.close(); // frees the wasm-side module of this run
    rerun.disabled = false;
  }
}

rerun.addEventListener("click", run);

try {
  const t0 = performance.now();
  await init();
  status.textContent = `WebAssembly module loaded in ${(performance.now() - t0).toFixed(0)} ms.`;
  await run();
} catch (e) {
  status.textContent = `Could not load pkcs11-wasm: ${e?.message ?? e}`;
  console.error(e);
}
