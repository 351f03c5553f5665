// Where a group's reports go on the PKCS11 instance: membership events
// (`groupEvents`, `ongroupevent`), one event per member call made for the
// caller (`ongroupcall`, for traces), and the members' storage events
// (into `storageEvents` / `onstorageevent`, with the member's index).
const KEPT = 1000;

/** The default `ongroupevent`: a lost member is worth a warning. */
export function warnLost(ev) {
  if (ev.kind === "lost") console.warn(`pkcs11-wasm: slot ${ev.slot}: group member ${ev.member} (${ev.storage}) lost: ${ev.message}`);
}

export function groupHost(pkcs11) {
  const deliver = (handler, ev) => {
    try {
      handler?.call(pkcs11, ev);
    } catch {}
  };
  return {
    groupEvent(ev) {
      const list = pkcs11.groupEvents;
      list.push(ev);
      if (list.length > KEPT) list.splice(0, list.length - KEPT);
      deliver(pkcs11.ongroupevent, ev);
    },
    wantsCalls() {
      return typeof pkcs11.ongroupcall === "function";
    },
    callEvent(ev) {
      deliver(pkcs11.ongroupcall, ev);
    },
    storageEvent(ev) {
      pkcs11.storageEvents.push(ev);
      deliver(pkcs11.onstorageevent, ev);
    },
  };
}
