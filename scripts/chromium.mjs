// Debian's headless Chromium through playwright-core (nothing downloads a
// browser), with the flags that keep it off the closed network (no
// background, component, sync or QUIC traffic): one launcher for the
// tests (tests/e2e, tests/bundlers) and the benchmark's browser variant.
import { chromium } from "playwright-core";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Where Chromium is: $CHROMIUM (or $CHROMIUM_PATH), else Debian's. */
export const chromiumPath = () => process.env.CHROMIUM ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
}
