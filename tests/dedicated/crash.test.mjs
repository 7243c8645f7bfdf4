// tests/crash.test.mjs with every engine in a worker of its tab's own (open({worker: 'dedicated'})).
process.env.IDBSYNC_WORKER = 'dedicated';
await import('../crash.test.mjs');
