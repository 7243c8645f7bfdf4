// tests/badinput.test.mjs with every engine in the page (open({worker: false})).
process.env.IDBSYNC_WORKER = 'false';
await import('../badinput.test.mjs');
