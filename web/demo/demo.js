// Loads the module and counts this visit in IndexedDB.
const status = document.getElementById('status');

async function load() {
  const go = new Go();
  const ready = new Promise((resolve) => { globalThis.__idbsyncReady = resolve; });
  const { instance } = await WebAssembly.instantiateStreaming(fetch('/dist/idbsync.wasm'), go.importObject);
  go.run(instance);
  await ready;
  return globalThis.idbsyncModule;
}

try {
  const mod = await load();
  const visits = await mod.visit('idbsync-demo');
  status.textContent = `Module ${mod.version} loaded. Visits counted in IndexedDB: ${visits}`;
  status.dataset.state = 'ready';
  status.dataset.visits = String(visits);
} catch (err) {
  status.textContent = `Failed: ${err.message}`;
  status.dataset.state = 'error';
}
