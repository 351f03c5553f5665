// The facade's template encoding (pkg-templates/src/template.js `encode`):
// numbers and booleans are written straight into the buffer, other values
// through `encodeValue`. Each kind of value goes in through C_CreateObject /
// C_GenerateKey and is read back, so a wrong length, byte order or offset
// shows as a wrong attribute (or the module refusing the template).
import assert from "node:assert/strict";
import { test } from "node:test";
import { C, initToken, oneSlot, open, session as userSession, slotOf } from "./fixtures/storage-helpers.mjs";

function session() {
  const p = open(oneSlot("memory"));
  const slot = slotOf(p);
  initToken(p, slot, "template test");
  return { p, s: userSession(p, slot) };
}

const read = (p, s, h, type) => p.C_GetAttributeValue(s, h, [{ type }])[0].value;
const ulong = (n) => Buffer.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24, 0, 0, 0, 0]);

test("template encode: numbers, booleans, strings, buffers, null and dates between them", () => {
  const { p, s } = session();
  const h = p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_DATA },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_LABEL, value: "a label, ü" },
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_APPLICATION, value: "app" },
    { type: C.CKA_VALUE, value: Uint8Array.from([1, 2, 3, 4, 5]) },
    { type: C.CKA_OBJECT_ID, value: null },
    { type: C.CKA_MODIFIABLE, value: false },
  ]);
  assert.deepEqual(read(p, s, h, C.CKA_CLASS), ulong(C.CKO_DATA));
  assert.deepEqual(read(p, s, h, C.CKA_TOKEN), Buffer.from([0]));
  assert.equal(read(p, s, h, C.CKA_LABEL).toString(), "a label, ü");
  assert.deepEqual(read(p, s, h, C.CKA_PRIVATE), Buffer.from([1]));
  assert.equal(read(p, s, h, C.CKA_APPLICATION).toString(), "app");
  assert.deepEqual(read(p, s, h, C.CKA_VALUE), Buffer.from([1, 2, 3, 4, 5]));
  assert.deepEqual(read(p, s, h, C.CKA_OBJECT_ID), Buffer.alloc(0));
  assert.deepEqual(read(p, s, h, C.CKA_MODIFIABLE), Buffer.from([0]));

  const key = p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_START_DATE, value: "20260101" },
    { type: C.CKA_VALUE, value: Buffer.alloc(16, 7) },
    { type: C.CKA_END_DATE, value: new Date(Date.UTC(2027, 5, 30)) },
    { type: C.CKA_SIGN, value: true },
  ]);
  assert.equal(read(p, s, key, C.CKA_START_DATE).toString(), "20260101");
  assert.equal(read(p, s, key, C.CKA_END_DATE).toString(), "20270630");
  assert.deepEqual(read(p, s, key, C.CKA_VALUE_LEN), ulong(16));
  assert.deepEqual(read(p, s, key, C.CKA_SIGN), Buffer.from([1]));
});

test("template encode: a number is taken as pkcs11js does (n >>> 0: modulo 2^32)", () => {
  const { p, s } = session();
  const key = p.C_GenerateKey(s, { mechanism: C.CKM_GENERIC_SECRET_KEY_GEN }, [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_VALUE_LEN, value: 2 ** 32 + 24 },
    { type: C.CKA_EXTRACTABLE, value: true },
    { type: C.CKA_SENSITIVE, value: false },
  ]);
  assert.deepEqual(read(p, s, key, C.CKA_VALUE_LEN), ulong(24));
  assert.equal(read(p, s, key, C.CKA_VALUE).length, 24);
});

test("template encode: each element's type and value are read once", () => {
  const { p, s } = session();
  let reads = 0;
  const flip = {
    type: C.CKA_LABEL,
    get value() {
      reads += 1;
      return reads === 1 ? "first" : 12345; // a second read would change the length
    },
  };
  const h = p.C_CreateObject(s, [{ type: C.CKA_CLASS, value: C.CKO_DATA }, { type: C.CKA_TOKEN, value: false }, flip]);
  assert.equal(reads, 1);
  assert.equal(read(p, s, h, C.CKA_LABEL).toString(), "first");
});

test("template encode: the same TypeErrors as pkcs11js, dates included", () => {
  const { p, s } = session();
  const create = (t) => () => p.C_CreateObject(s, t);
  assert.throws(create({}), { name: "TypeError", message: "Argument 1 has wrong type. Should be an Array" });
  assert.throws(create([1]), { name: "TypeError", message: "Element 0 has wrong type. Should be an Object" });
  assert.throws(create([{ type: "x" }]), {
    name: "TypeError",
    message: "Element 0 has wrong type. Property 'type' should be a Number",
  });
  assert.throws(create([{ type: C.CKA_LABEL, value: {} }]), {
    name: "TypeError",
    message: "Element 0 has wrong type. Property 'value' should be a Number, Boolean, String or Buffer",
  });
  assert.throws(create([{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_START_DATE, value: 20260101 }]), {
    name: "TypeError",
    message: "Attribute with type 0x00000110 is not convertible to CK_DATE. Should be a String, Buffer or Date",
  });
  assert.throws(create([{ type: C.CKA_END_DATE, value: true }]), {
    name: "TypeError",
    message: "Attribute with type 0x00000111 is not convertible to CK_DATE. Should be a String, Buffer or Date",
  });
});
