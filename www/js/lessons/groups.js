// Lesson 11: many applications, many HSMs. Slot 2 is a token group of
// three members, each a whole token in its own Web Worker with its own
// IndexedDB database. Calls spread over them; one is unplugged in the
// middle of a stream (no call fails), the token changes while it is away,
// and it is plugged back and resynced.
import { el, K, H, RW, note, usageFlags } from "./common.js";
import { DEFAULT_PINS } from "../views/actions.js";
import { CallFailed } from "../client.js";
import { trimPad } from "../names.js";
import { signStream, streamMeter, firstFailure, membersTable, allSame, recordOf, memberOf, SIGN } from "./group-stream.js";

const LABEL = "group token";
const SIGNER = "group signing key";
const OLD = "old key";
const utf8 = (t) => new TextEncoder().encode(t);

/** The group's slot (the worker says which); fails clearly on a build without groups. */
function groupSlot(L) {
  const g = L.token.info?.groups?.[0];
  if (!g) throw new Error("this build of the package has no token groups (groupStatus is missing), or the token runs in memory only");
  return g.slot;
}

/** Reads the members' records again; the Members card shows them too. */
async function records(L) {
  const slot = groupSlot(L);
  const list = await L.token.memberRecords(slot);
  L.model.memberRecords.set(slot, list);
  return list;
}

/** Fails the step on a stream's first failed call (its explanation says why). */
function mustAllSucceed(recs) {
  const bad = firstFailure(recs);
  if (bad) throw new CallFailed(bad);
}

/** The group's configuration entry as the JavaScript that makes it. */
function configText(L) {
  const g = L.token.info.groups[0];
  const members = g.dbNames.map((n) => `        { storage: { indexedDB: ${JSON.stringify(n)} }${g.threads ? ", thread: true" : ""} },`);
  return `slots: [\n  ...the two plain slots (lesson 10),\n  { group: {\n      members: [\n${members.join("\n")}\n      ],\n      balance: "least-busy",\n  } },\n]`;
}

/** A member panel of the outcome: who holds how many records, equal or not. */
const recordsNote = (list) => note(allSame(list)
  ? `All ${list.length} members hold the same ${list[0].records.length} records, byte for byte (same fingerprint).`
  : "The members' records differ: see the fingerprints.");

export default {
  id: "groups",
  title: "Many applications, many HSMs",
  summary: "A token group: one slot over three members; calls spread, one is unplugged and plugged back, nothing fails or comes back.",
  intro: "Where many applications depend on keys, one HSM is not enough: it can fail, and it can be too slow for everyone. Deployments put several HSMs behind one slot (Thales Luna HA groups, AWS CloudHSM clusters, nShield load sharing). Slot 2 of this page does the same in software: it is a token group of three members, each a complete pkcs11-wasm token running in its own Web Worker with its own IndexedDB database, like three small HSMs. They hold copies of one token; the library spreads the applications' calls over them, copies every change to each, and brings back a member that was away. Applications see one ordinary slot.",
  spec: ["C_GetSlotList", "C_InitToken", "C_Login", "C_GenerateKeyPair", "C_SignInit", "C_Sign", "C_SignUpdate", "C_SignFinal", "C_DestroyObject", "returnValues"],
  links: [{ href: "/README.md", text: "README, section “Groups”", title: "The project's README (served by this page's server): configuration, failover, the resync rule and the limits of token groups" }],
  steps: [
    {
      title: "One slot, three members",
      explain: "The group is one entry of the configuration's slots, listing its members. C_GetSlotList shows one slot for it, not three: the members are hidden (Luna calls this “HA only”), so a program written for one token runs on the group unchanged. The high availability lives in the library, not in the application and not in the members, which do not know about each other. groupStatus (pkcs11-wasm's own call, not PKCS#11) shows what is behind the slot; the Members card under slot 2 keeps it on screen.",
      call: "C_GetSlotList(tokenPresent = false); C_GetSlotInfo(slotID = 2); groupStatus(slotID = 2)",
      run: async (L) => {
        const slot = groupSlot(L);
        const ids = await L.must("C_GetSlotList", [false]);
        const si = await L.must("C_GetSlotInfo", [H(slot)]);
        const st = await L.must("groupStatus", [H(slot)]);
        L.showInModel(`[data-members-slot="${slot}"]`);
        return [
          el("pre", { class: "config" }, configText(L)),
          note(`C_GetSlotList lists ${ids.length} slots (${ids.join(", ")}); slot ${slot} is “${trimPad(si.slotDescription)}”. Behind it: ${st.members.map((m) => `member ${m.index} ${m.state}${m.thread ? " in its own Web Worker" : ""}`).join(", ")}.`),
          L.token.info.groups[0].threads ? null : el("p", { class: "muted small" }, "This page is not cross-origin isolated (no SharedArrayBuffer), so the members run inside the token's worker instead of their own; everything else is the same."),
        ];
      },
    },
    {
      title: "One token on every member",
      explain: "C_InitToken on the group runs on one member, then the group copies everything it wrote (the token record, the master key wrapped under the PINs, the counters) to the other two: all three become replicas of one token, with the same label, serial number, PINs and master key. Logins reach every member: the group checks the PIN on one, then logs the others in (each derives its own key from the PIN, in its own worker) and keeps the PIN to log in a member that comes back later. The fingerprint of a member is a hash over all its stored records. Handles on the group are the group's own (large numbers, from 2^40 up): they stay the same whichever member serves a call, and when members fail or come back. If an earlier run set the group up, this wipes it and starts again.",
      call: "C_InitToken(slotID = 2, pPin, pLabel); C_OpenSession(slotID = 2, ...); C_Login(hSession, CKU_SO, pPin); C_InitPIN(hSession, pPin); C_Logout(hSession); C_Login(hSession, CKU_USER, pPin)",
      run: async (L) => {
        const slot = groupSlot(L);
        if ([...L.model.sessions.values()].some((v) => v.slot === slot)) await L.must("C_CloseAllSessions", [H(slot)]);
        await L.must("C_InitToken", [H(slot), DEFAULT_PINS.so, LABEL]);
        const s = await L.must("C_OpenSession", [H(slot), RW()]);
        await L.must("C_Login", [H(s), K.CKU_SO, DEFAULT_PINS.so]);
        await L.must("C_InitPIN", [H(s), DEFAULT_PINS.user]);
        await L.must("C_Logout", [H(s)]);
        await L.must("C_Login", [H(s), K.CKU_USER, DEFAULT_PINS.user]);
        L.vars.apps = [s];
        const list = await records(L);
        return [note(`Token “${LABEL}” (SO PIN “${DEFAULT_PINS.so}”, user PIN “${DEFAULT_PINS.user}”), USER logged in through session #${s}.`), membersTable(list), recordsNote(list)];
      },
    },
    {
      title: "Keys made once, copied sealed",
      explain: "C_GenerateKeyPair makes an RSA-2048 key pair on one member (the trace says which), and the group copies the new records, byte for byte, to the other two. The private key's record is sealed (AES-256-GCM under the token's master key, lesson 8); the members share that master key, so the copies work on each of them, and the key never leaves a member in clear. A key is generated once and copied: generating it on each member would give three different keys. An AES key, “old key”, is made too; it is destroyed later while a member is away.",
      call: "C_GenerateKeyPair(hSession, { mechanism: CKM_RSA_PKCS_KEY_PAIR_GEN }, pPublicKeyTemplate, pPrivateKeyTemplate); C_GenerateKey(hSession, { mechanism: CKM_AES_KEY_GEN }, pTemplate)",
      run: async (L) => {
        const [s] = L.vars.apps;
        const pair = await L.call("C_GenerateKeyPair", [H(s), { mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN },
          [{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_MODULUS_BITS, value: 2048 }, { type: K.CKA_PUBLIC_EXPONENT, value: Uint8Array.from([1, 0, 1]) }, { type: K.CKA_LABEL, value: SIGNER }, ...usageFlags(["CKA_VERIFY"], ["CKA_VERIFY", "CKA_ENCRYPT", "CKA_WRAP"])],
          [{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true }, { type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_LABEL, value: SIGNER }, ...usageFlags(["CKA_SIGN"], ["CKA_SIGN", "CKA_DECRYPT", "CKA_UNWRAP"])]]);
        if (!pair.ok) throw new CallFailed(pair);
        L.vars.key = pair.value.privateKey;
        L.vars.old = await L.must("C_GenerateKey", [H(s), { mechanism: K.CKM_AES_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 32 }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true }, { type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_LABEL, value: OLD }, ...usageFlags(["CKA_ENCRYPT", "CKA_DECRYPT"])]]);
        const [uid] = await L.must("C_GetAttributeValue", [H(s), H(L.vars.old), [{ type: K.CKA_UNIQUE_ID }]]);
        L.vars.oldUid = new TextDecoder().decode(uid.value);
        const list = await records(L);
        const made = memberOf(pair);
        return [note(`Key pair #${pair.value.publicKey} / #${pair.value.privateKey} “${SIGNER}” generated on member ${made ?? "?"}, and “${OLD}” #${L.vars.old}.`), membersTable(list, { uid: L.vars.oldUid, uidLabel: OLD }), recordsNote(list)];
      },
    },
    {
      title: "Three applications, sixty signatures",
      explain: "Three sessions stand for three applications (or three threads of one) signing at once: each repeats C_SignInit + C_SignAsync, 60 signatures in all. The group sends each call to the least busy member, the one with the fewest calls in flight (ties in turn), so the load spreads and the members sign in parallel, each in its own worker. The trace says which member served each call. (The Members card counts every call a member answered, the page's own reads too: searches and attribute reads go to the group's session member.) A C_SignInit the group has seen succeed with the same mechanism and key is not run on its own: it travels with the operation's next call, to whichever member is least busy then (the trace says “no member yet”).",
      call: "C_OpenSession(slotID = 2, ...) × 2 more; in each session, in turn: C_SignInit(hSession, { mechanism: CKM_SHA256_RSA_PKCS }, hKey); C_SignAsync(hSession, pData, pSignature)",
      run: async (L) => {
        const slot = groupSlot(L);
        // Login is per token: the new sessions are the USER's at once.
        while (L.vars.apps.length < 3) L.vars.apps.push(await L.must("C_OpenSession", [H(slot), RW()]));
        const meter = streamMeter(L.model, slot, "Signatures served, by member");
        L.progress(meter.root);
        L.showInModel(`[data-members-slot="${slot}"]`);
        const t0 = performance.now();
        const recs = await signStream(L, { sessions: L.vars.apps, key: L.vars.key, count: 60, meter });
        const ms = performance.now() - t0;
        await L.refresh();
        mustAllSucceed(recs);
        const busy = meter.counts.filter((n) => n > 0).length;
        return [meter.stop(), note(`60 signatures in ${Math.round(ms)} ms through sessions ${L.vars.apps.map((h) => `#${h}`).join(", ")}; ${busy} of 3 members served some.`)];
      },
    },
    {
      title: "A long document, signed in parts",
      explain: "A fourth application signs a document in parts: C_SignInit, C_SignUpdate for each part, C_SignFinal at the end. Between these calls the hash of the parts so far lives in one member's memory only, so every call of a multi-part operation goes to the member where it started; it cannot move to another.",
      call: "C_OpenSession(slotID = 2, ...); C_SignInit(hSession, { mechanism: CKM_SHA256_RSA_PKCS }, hKey); C_SignUpdate(hSession, pPart) × 2",
      run: async (L) => {
        const slot = groupSlot(L);
        L.vars.doc = await L.must("C_OpenSession", [H(slot), RW()]);
        await L.must("C_SignInit", [H(L.vars.doc), SIGN, H(L.vars.key)]);
        await L.must("C_SignUpdate", [H(L.vars.doc), utf8("Chapter 1. ")]);
        const rec = await L.call("C_SignUpdate", [H(L.vars.doc), utf8("Chapter 2. ")]);
        if (!rec.ok) throw new CallFailed(rec);
        L.vars.m = memberOf(rec);
        if (L.vars.m === null) throw new Error("the trace does not say which member served C_SignUpdate");
        return note(`Session #${L.vars.doc} has fed two parts to member ${L.vars.m}; the operation stays there until C_SignFinal.`);
      },
    },
    {
      title: "Unplug a member in the middle of a stream",
      explain: "Another 60 signatures. After 20 of them, disableMember unplugs the member that holds the long document: its Web Worker is terminated, as if that HSM lost its power. Calls it had in flight are not lost: the group runs the Init it recorded on another member and signs there, so the applications see no error while one member lives. (A member that fails by itself is “lost” and probed until it answers again; an unplugged one stays out until it is plugged back.)",
      call: "C_SignInit + C_SignAsync × 60 in the three sessions; after 20: disableMember(slotID = 2, member)",
      run: async (L) => {
        const slot = groupSlot(L);
        const m = L.vars.m;
        const meter = streamMeter(L.model, slot, `Signatures served, by member (member ${m} unplugged after 20)`);
        L.progress(meter.root);
        L.showInModel(`[data-members-slot="${slot}"]`);
        let unplug = null;
        let inFlight = 0;
        const recs = await signStream(L, {
          sessions: L.vars.apps, key: L.vars.key, count: 60, meter, label: "invoice",
          after: async (n) => {
            if (n !== 20) return;
            inFlight = L.model.groups.get(slot)?.members[m]?.inFlight ?? 0;
            unplug = await L.quiet("disableMember", [H(slot), m]);
          },
        });
        await L.refresh();
        if (unplug && !unplug.ok) throw new CallFailed(unplug);
        mustAllSucceed(recs);
        const later = recs.filter((r) => r.seq > unplug.seq);
        const onIt = later.filter((r) => memberOf(r) === m).length;
        const then = inFlight ? `${inFlight} of its calls were in flight then, and the group finished them on the others` : "none of its calls was in flight at that moment";
        return [meter.stop(), note(`60 signatures, 0 failed. Member ${m} was unplugged after 20 answers (${then}); of the ${later.length} answered after that, ${onIt} came from it.`)];
      },
    },
    {
      title: "The document on the lost member",
      explain: "The long document's hash was in the unplugged member's memory and went with its worker. No other member can finish it: C_SignFinal answers CKR_DEVICE_ERROR, the operation is over, and the session stays usable: the application signs the whole document again, and a live member does it. Session objects (CKA_TOKEN false) are the same: they all live on one member, the group's session member, and go if it goes.",
      call: "C_SignFinal(hSession, pSignature); C_SignInit(hSession, pMechanism, hKey); C_Sign(hSession, pData, pSignature)",
      run: async (L) => {
        const r = await L.expect("C_SignFinal", [H(L.vars.doc), { $out: 256 }], "CKR_DEVICE_ERROR");
        await L.must("C_SignInit", [H(L.vars.doc), SIGN, H(L.vars.key)]);
        const again = await L.call("C_Sign", [H(L.vars.doc), utf8("Chapter 1. Chapter 2. "), { $out: 256 }]);
        if (!again.ok) throw new CallFailed(again);
        return [L.explained(r, `Session #${L.vars.doc}, as expected:`), note(`Signed again in one call, by member ${memberOf(again) ?? "?"}: ${again.value.length}-byte signature.`)];
      },
    },
    {
      title: "Keys made and destroyed while it is away",
      explain: "The applications carry on while the member is unplugged: two new token keys are generated and “old key” is destroyed. The live members get every change; the unplugged one's database still holds what it had (the page reads it directly: its worker is gone). Every object record carries a version: each write takes one more than the highest version its writer has seen. Destroying an object leaves a tombstone, a signed record with a higher version than the object's last one. A session key (CKA_TOKEN false) is made too: it is not copied; it lives on the session member only.",
      call: "C_GenerateKey(hSession, { mechanism: CKM_AES_KEY_GEN }, pTemplate) × 2; C_DestroyObject(hSession, hObject); C_GenerateKey (CKA_TOKEN false)",
      run: async (L) => {
        const slot = groupSlot(L);
        const [s] = L.vars.apps;
        const m = L.vars.m;
        const state = L.model.groups.get(slot)?.members[m]?.state;
        if (state === "live" || state === "syncing") await L.must("disableMember", [H(slot), m]); // plugged back early: out again
        const aes = (label, token) => [{ type: K.CKA_VALUE_LEN, value: 32 }, { type: K.CKA_TOKEN, value: token }, { type: K.CKA_PRIVATE, value: true }, { type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_LABEL, value: label }, ...usageFlags(["CKA_ENCRYPT", "CKA_DECRYPT"])];
        for (const n of [1, 2]) await L.must("C_GenerateKey", [H(s), { mechanism: K.CKM_AES_KEY_GEN }, aes(`made while away ${n}`, true)]);
        await L.must("C_DestroyObject", [H(s), H(L.vars.old)]);
        const sk = await L.must("C_GenerateKey", [H(s), { mechanism: K.CKM_AES_KEY_GEN }, aes("session key", false)]);
        const list = await records(L);
        const away = list[m];
        const live = list.find((x) => x.index !== m && x.source === "memberRecords");
        const was = recordOf(away, L.vars.oldUid);
        const now = live && recordOf(live, L.vars.oldUid);
        const sm = L.model.groups.get(slot)?.sessionMember;
        return [membersTable(list, { uid: L.vars.oldUid, uidLabel: OLD }),
          note(`Member ${m} is behind: ${away.records.length} records against ${live?.records.length ?? "?"}. “${OLD}” is a tombstone of version ${now?.recordVersion ?? "?"} on the live members, still a sealed key of version ${was?.recordVersion ?? "?"} in member ${m}'s database.`),
          note(`Session key #${sk} lives on member ${sm ?? "?"} only (the session member).`)];
      },
    },
    {
      title: "Plug it back: the resync",
      explain: "enableMember starts the member's worker again. Before it serves, the group compares its records with a live member's, key by key: the copy with the higher version wins (equal versions: the larger bytes), in both directions. So the member receives the two new keys and the tombstone of “old key”, whose version is higher than the key's record: the destroyed key does not come back, and nothing newer is overwritten by something older. Then it gets a session for each group session and the group's login, without the application doing anything, and serves again: the last 30 signatures spread over all three.",
      call: "enableMember(slotID = 2, member); then C_SignInit + C_SignAsync × 30",
      run: async (L) => {
        const slot = groupSlot(L);
        const m = L.vars.m;
        const events = [];
        const t0 = performance.now();
        L.showInModel(`[data-members-slot="${slot}"]`);
        const watch = ({ detail }) => detail.slot === slot && detail.member === m && events.push(`${detail.kind} at +${Math.round(performance.now() - t0)} ms`);
        L.token.addEventListener("group-event", watch);
        try {
          await L.must("enableMember", [H(slot), m]);
        } finally {
          L.token.removeEventListener("group-event", watch);
        }
        const list = await records(L);
        if (!allSame(list)) throw new Error(`member ${m} did not catch up: its records differ from the others'`);
        const meter = streamMeter(L.model, slot, "Signatures served after the resync, by member");
        L.progress([membersTable(list, { uid: L.vars.oldUid, uidLabel: OLD }), meter.root]);
        const recs = await signStream(L, { sessions: L.vars.apps, key: L.vars.key, count: 30, meter, label: "receipt" });
        await L.refresh();
        mustAllSucceed(recs);
        return [note(`Member ${m}: ${events.join(", ") || "back"}.`), membersTable(list, { uid: L.vars.oldUid, uidLabel: OLD }), recordsNote(list), meter.stop()];
      },
    },
  ],
  outro: "One slot, several members: calls go to the least busy one, single-part calls survive a member going away, changes are copied as sealed records (no key leaves a member in clear), and a returning member is resynced by record versions and tombstones. Several applications with the same group configuration (processes, tabs, workers) see the same token. The README's section on groups has the configuration and the limits.",
};
