// `showMembers: true` (Luna's "HA only" off): each member of the group is
// also listed as a plain slot, after the configured slots, that reaches
// that member's own token directly. Meant for inspection and repair: what
// is written there is not replicated (the next resync spreads it, or
// overwrites it, by the conflict rule), and a login there is a login of
// that member's token, the group's sessions on it included. Slot IDs of
// member slots follow the current membership (they move after reload()).
import { SLOT } from "./host.js";

const CKR_DEVICE_REMOVED = 0x32;

export const memberSlots = {
  /** [{ id, group, member }] of the listed member slots. */
  listedMembers() {
    const out = [];
    let id = this.configuredSlots;
    for (const g of this.groups) {
      if (!g.spec.showMembers) continue;
      for (const member of g.members) out.push({ id: id++, group: g, member });
    }
    return out;
  },

  memberSlot(slot) {
    if (slot < this.configuredSlots) return undefined;
    return this.listedMembers().find((x) => x.id === slot);
  },

  /** One engine call on a listed member, answered as a plain slot would. */
  onMember(member, fn, args) {
    if (!this.initialized) throw 0x190; // CKR_CRYPTOKI_NOT_INITIALIZED
    if (!member.running) throw CKR_DEVICE_REMOVED;
    const r = member.run({ op: "call", fn, args, mode: 0 });
    if (r.rv !== undefined) throw r.rv;
    return r.value;
  },

  /** A slot call on a member slot (`x` from memberSlot). */
  memberSlotCall(x, fn, rest) {
    if (!x.member.running && fn !== "close_all_sessions") throw 0xe0; // CKR_TOKEN_NOT_PRESENT
    const value = this.onMember(x.member, fn, [SLOT, ...rest]);
    if (fn === "open_session") {
      const h = this.newHandle(undefined, false);
      this.memberSessions.set(h, { x, mh: value });
      return h;
    }
    if (fn === "close_all_sessions") {
      for (const [h, ms] of this.memberSessions) if (ms.x.member === x.member) this.memberSessions.delete(h);
    }
    return value;
  },

  /** A session call on a session of a member slot. */
  memberSessionCall(ms, h, fn, rest) {
    const value = this.onMember(ms.x.member, fn, [ms.mh, ...rest]);
    if (fn === "close_session") this.memberSessions.delete(h);
    if (fn === "get_session_info") new DataView(value.buffer, value.byteOffset, 8).setBigUint64(0, BigInt(ms.x.id), true);
    return value;
  },

  memberSlotInfo(x) {
    if (!this.initialized) throw 0x190;
    const info = this.core.get_slot_info(0);
    const text = `pkcs11-wasm group slot ${x.group.slotId} member ${x.group.members.indexOf(x.member)}`;
    info.fill(0x20, 0, 64);
    info.set(new TextEncoder().encode(text).subarray(0, 64), 0);
    new DataView(info.buffer, info.byteOffset + 96, 8).setUint32(0, x.member.running ? 1 : 0, true);
    return info;
  },
};
