// Debian's Chromium for the browser tests and benchmarks: its path and the launch flags that
// work as root on these machines (shared/PLATFORM.md). One place, so the three users agree.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium's connections are refused by the closed
// network, many at a time.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
