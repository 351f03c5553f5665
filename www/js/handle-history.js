// Why a handle no longer works, told from the trace: which call made it,
// whether it was a session or token object and private or public, and
// which later call ended it (PKCS#11 3.1 5.6.2-5.6.3 closing sessions,
// 5.6.10 C_Logout, 5.7.3 C_DestroyObject, 5.5.7 C_InitToken). Pure: it
// reads trace records ({ seq, n, fn, args, ok, value, group }) only, so
// Node tests load it too. Calls are named by `n`, the number the trace shows.

// Fixed by the spec (pkcs11t.h): the few numbers this file needs.
const CKA_CLASS = 0x0;
const CKA_TOKEN = 0x1;
const CKA_PRIVATE = 0x2;
const CKO_PUBLIC_KEY = 0x2;
const CKO_CERTIFICATE = 0x1;

const MAKERS = new Set(["C_GenerateKey", "C_CreateObject", "C_CopyObject", "C_UnwrapKey", "C_DeriveKey", "C_GenerateKeyPair"]);
const num = (r) => r.n ?? r.seq;
const h = (a) => (a && typeof a === "object" && "$h" in a ? a.$h : a);

function templateOf(rec, which) {
  if (rec.fn === "C_GenerateKeyPair") return rec.args[which === "public" ? 2 : 3] ?? [];
  if (rec.fn === "C_CreateObject") return rec.args[1] ?? [];
  if (rec.fn === "C_GenerateKey") return rec.args[2] ?? [];
  return rec.args[rec.fn === "C_CopyObject" ? 2 : rec.fn === "C_UnwrapKey" ? 4 : 3] ?? [];
}
const attr = (t, type) => t.find((a) => a.type === type)?.value;

/** The calls of the learner and the page that succeeded, in order. */
const calls = (records) => records.filter((r) => r.ok && r.group !== "inspect");

/** The slot a session was opened on, from its C_OpenSession record. */
export function sessionSlot(records, session) {
  const open = calls(records).findLast((r) => r.fn === "C_OpenSession" && r.value === session);
  return open ? h(open.args[0]) : null;
}

/**
 * What the trace knows about an object handle: { made, role, token,
 * private, session, slot } or null when no call of this page made it
 * (a handle from C_FindObjects, or from before a reload).
 */
export function objectOrigin(records, handle) {
  for (const r of calls(records)) {
    if (!MAKERS.has(r.fn)) continue;
    let role = null;
    if (r.fn === "C_GenerateKeyPair") role = r.value?.publicKey === handle ? "public" : r.value?.privateKey === handle ? "private" : null;
    else if (r.value === handle) role = "object";
    if (!role) continue;
    const t = templateOf(r, role);
    const cls = attr(t, CKA_CLASS);
    const publicByDefault = role === "public" || cls === CKO_PUBLIC_KEY || cls === CKO_CERTIFICATE;
    const session = h(r.args[0]);
    return {
      made: r,
      role,
      token: attr(t, CKA_TOKEN) === true,
      // This token's defaults: every object private except public keys and certificates.
      private: attr(t, CKA_PRIVATE) ?? !publicByDefault,
      session,
      slot: sessionSlot(records, session),
    };
  }
  return null;
}

/** The first call after `origin` that ended the handle, and why; null if none. */
function endOf(records, handle, o, beforeSeq) {
  const later = calls(records).filter((r) => r.seq > o.made.seq && r.seq < beforeSeq);
  for (const r of later) {
    const slotOf = (s) => sessionSlot(records, s);
    if (r.fn === "C_DestroyObject" && h(r.args[1]) === handle) return { rec: r, why: "destroyed" };
    if ((r.fn === "C_InitToken" || r.fn === "deleteToken") && h(r.args[0]) === o.slot) return { rec: r, why: "wiped" };
    if (!o.token && r.fn === "C_CloseSession" && h(r.args[0]) === o.session) return { rec: r, why: "session closed" };
    if (r.fn === "C_CloseAllSessions" && h(r.args[0]) === o.slot) return { rec: r, why: o.token ? (o.private ? "logged out" : null) : "session closed" };
    if (o.private && r.fn === "C_Logout" && slotOf(h(r.args[0])) === o.slot) return { rec: r, why: "logged out" };
  }
  return null;
}

const kindText = (o) => `a ${o.private ? "private" : "public"} ${o.token ? "token" : "session"} object`;

/**
 * A sentence saying why `handle` (an object) is invalid at call `beforeSeq`
 * made through a session of `callSlot`, or null when the trace cannot tell.
 */
export function objectHandleStory(records, handle, beforeSeq = Infinity, callSlot = null) {
  const o = objectOrigin(records, handle);
  if (!o) {
    const found = calls(records).some((r) => r.fn === "C_FindObjects" && Array.isArray(r.value) && r.value.includes(handle));
    return found ? null : `No call in this page made handle #${handle}: handles are numbers the token hands out while the module runs, and none survives a reload. Find the object again (C_FindObjectsInit / C_FindObjects) to get its handle now.`;
  }
  const made = `#${handle} was ${kindText(o)}, made by ${o.made.fn} (call ${num(o.made)}) in session #${o.session}`;
  const end = endOf(records, handle, o, beforeSeq);
  if (!end && callSlot !== null && o.slot !== null && o.slot !== callSlot) {
    return `#${handle} belongs to the token in slot ${o.slot} (made by ${o.made.fn}, call ${num(o.made)}), and this session is on slot ${callSlot}: a session sees only its own token's objects.`;
  }
  if (!end) return null;
  const at = `${end.rec.fn} (call ${num(end.rec)})`;
  switch (end.why) {
    case "destroyed":
      return `${made}; ${at} destroyed it.`;
    case "wiped":
      return `${made}; ${at} erased every object of the token.`;
    case "session closed":
      return `${made}; ${at} closed that session, and session objects (CKA_TOKEN false) die with the session that made them.`;
    case "logged out":
      return `${made}; ${at} logged the USER out. At logout every private session object is destroyed and every handle to a private object becomes invalid, even after logging in again (PKCS#11 3.1 section 5.6.10).${
        o.token ? " The object itself is still on the token: log in and find it again (C_FindObjects) for a new handle." : " Logging in again does not bring it back: make a new one."
      }`;
    default:
      return null;
  }
}

/** A sentence saying why a session handle is invalid, or null. */
export function sessionHandleStory(records, session, beforeSeq = Infinity) {
  const list = calls(records);
  const open = list.findLast((r) => r.fn === "C_OpenSession" && r.value === session && r.seq < beforeSeq);
  if (!open) return `No call in this page opened session #${session}: sessions do not survive a reload. Open a new one.`;
  const slot = h(open.args[0]);
  const end = list.find((r) => r.seq > open.seq && r.seq < beforeSeq && (
    (r.fn === "C_CloseSession" && h(r.args[0]) === session) ||
    (["C_CloseAllSessions", "C_InitToken", "deleteToken"].includes(r.fn) && h(r.args[0]) === slot)));
  return end ? `Session #${session} was closed by ${end.fn} (call ${num(end)}); open a new one.` : null;
}
