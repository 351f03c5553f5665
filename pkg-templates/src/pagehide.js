// Browsers: a page that goes away (reload, navigation, tab closed) may cut
// write-behind storage short. On `pagehide` every initialized PKCS11
// instance of the page hands its queued writes to IndexedDB at once. This
// is best effort: IndexedDB gives no way to wait during unload, so
// `await pkcs11.C_FinalizeAsync()` or `await pkcs11.flush()` before
// navigating away remains the way to be sure.
import { PKCS11 } from "./pkcs11.js";

const live = new Set(); // WeakRefs to instances with storage to flush

function track(instance) {
  if (typeof WeakRef === "function") live.add(new WeakRef(instance));
}

export function flushAll() {
  for (const ref of live) {
    const instance = ref.deref();
    if (!instance) {
      live.delete(ref);
      continue;
    }
    // A failure is reported as a storage event; nothing can be awaited here.
    instance.flush().catch(() => {});
  }
}

let hooked = false;

/** Hooks `pagehide` once, in pages (workers have no page to hide). */
export function flushOnPageHide() {
  if (hooked || typeof globalThis.addEventListener !== "function" || !("onpagehide" in globalThis)) return;
  hooked = true;
  const proto = PKCS11.prototype;
  for (const name of ["C_Initialize", "C_InitializeAsync"]) {
    const inner = proto[name];
    Object.defineProperty(proto, name, {
      value: {
        [name](...a) {
          track(this);
          return inner.apply(this, a);
        },
      }[name],
      writable: true,
      configurable: true,
    });
  }
  globalThis.addEventListener("pagehide", flushAll);
}
