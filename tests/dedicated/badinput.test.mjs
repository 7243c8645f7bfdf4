// tests/badinput.test.mjs with every engine in a worker of its tab's own (open({worker: 'dedicated'})).
process.env.IDBSYNC_WORKER = 'dedicated';
await import('../badinput.test.mjs');
