// tests/tabs.test.mjs with every engine in the page (open({worker: false})).
process.env.IDBSYNC_WORKER = 'false';
await import('../tabs.test.mjs');
