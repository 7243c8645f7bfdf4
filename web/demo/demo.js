// The notes demo: two replicas ("devices") of one offline-first notes app in
// one page, each its own IndexedDB database, synced on demand with sync(a, b).
//
// A note is the key note/<id> holding JSON {title, text, attachment?, updated};
// an attachment {key, type, size} points at an image put with putBlob under
// att/<id>, which replicates like the note (its bytes go to the server, or to
// the other engine, before the entry that references them, and a device
// fetches them when it shows the image). The list follows watch(), so writes
// of this tab, of another tab on the same database and of a sync all show up
// the same way.
import {
  open, sync, live, fetchTransport,
} from '/idbsync.js';

const PREFIX = 'note/';
const decoder = new TextDecoder();

const $ = (selector, root = document) => root.querySelector(selector);
const statusLine = $('#status');

function say(text) {
  statusLine.dataset.kind = 'info';
  delete statusLine.dataset.code;
  statusLine.textContent = text;
}

function showError(doing, err) {
  console.error(err);
  statusLine.dataset.kind = 'error';
  statusLine.dataset.code = err?.code ?? '';
  statusLine.textContent = `${doing} failed: ${err?.code ? `[${err.code}] ` : ''}${err?.message ?? err}`;
}

/** Runs fn with button disabled, reporting its errors in the status line. */
async function guard(doing, button, fn) {
  if (button) button.disabled = true;
  try {
    await fn();
  } catch (err) {
    showError(doing, err);
  } finally {
    if (button) button.disabled = false;
  }
}

function parseNote(value) {
  try {
    const note = JSON.parse(decoder.decode(value));
    if (note && typeof note === 'object') return note;
  } catch { /* shown as unreadable below */ }
  return { title: '(unreadable note)', text: decoder.decode(value), updated: 0 };
}

const short = (peer) => peer.slice(0, 8);

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function formatSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** One device: an engine on its own database, and its pane of the page. */
class Pane {
  constructor(id, label, dbName) {
    this.id = id;
    this.label = label;
    this.dbName = dbName;
    this.root = $(`#pane-${id}`);
    this.root.append($('#pane-template').content.cloneNode(true));
    $('.device-name', this.root).textContent = label;
    $('.db-name', this.root).textContent = dbName;
    this.list = $('.notes', this.root);
    this.empty = $('.empty', this.root);
    this.cursorRows = $('.cursors tbody', this.root);
    this.other = null; // the other Pane, for labels in the cursor table
    this.missingImage = 'image not on this device yet: Sync brings it';
    this.blobSource = undefined; // the transport getBlob fetches images from (a device on a server)

    this.notes = new Map(); // key -> note
    this.elements = new Map(); // key -> its <li>
    this.editing = new Set(); // keys whose <li> holds an edit form
    this.images = new Map(); // attachment key -> object URL, or null: not on this device
    this.loading = new Map(); // attachment key -> true once it arrived while being loaded
    this.shown = new WeakMap(); // <li> -> what it shows
    this.cursors = {}; // as watchCursors last told
  }

  async start() {
    this.engine = await open({ name: this.dbName });
    const peer = $('.peer-id', this.root);
    peer.textContent = short(this.engine.peer);
    peer.title = this.engine.peer;
    this.engine.onclose = (err) => fatal(`${this.label}'s database`, err);

    // Watch first, then scan: a change between the two is not lost, and
    // changes heard before the scan answered are applied after it.
    let early = [];
    this.engine.watch({ prefix: PREFIX }, (changes) => {
      if (early) early.push(...changes);
      else this.update(changes);
    });
    for (const { key, value } of await this.engine.scan({ prefix: PREFIX })) {
      this.notes.set(key, parseNote(value));
    }
    const heard = early;
    early = null;
    this.update(heard);
    this.engine.watchCursors((cursors) => {
      this.cursors = cursors;
      this.renderCursors();
    });

    const form = $('.add-note', this.root);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      guard(`Adding a note on ${this.label}`, $('.add', form), () => this.add(form));
    });
    $('fieldset', form).disabled = false;
  }

  /** Writes a new note from the form; an image goes to the blob tier first. */
  async add(form) {
    const title = form.elements.title.value.trim();
    const text = form.elements.text.value.trim();
    const file = form.elements.file.files[0];
    if (!title && !text && !file) {
      say('A note needs a title, a text or an image.');
      return;
    }
    const id = crypto.randomUUID();
    const note = { title, text, updated: Date.now() };
    if (file) {
      if (!file.type.startsWith('image/')) throw new Error(`${file.name} is not an image (${file.type || 'unknown type'})`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const key = `att/${id}`;
      // The blob before the note: a note never points at an image its own
      // device lacks. A crash in between leaves an unreferenced blob only.
      await this.engine.putBlob(key, bytes);
      note.attachment = { key, type: file.type, size: bytes.length };
    }
    await this.engine.exec([{ put: PREFIX + id, value: JSON.stringify(note) }]);
    form.reset();
    say(`${this.label}: added “${title || text || file.name}”.`);
  }

  /** Applies changes heard by watch() and renders. */
  update(changes) {
    for (const { key, value } of changes) {
      if (value !== undefined) {
        this.notes.set(key, parseNote(value));
        continue;
      }
      // Deleted, here, in another tab or by a sync (whoever deleted the note
      // deleted its attachment too, and that syncs as well).
      const prev = this.notes.get(key);
      this.notes.delete(key);
      this.editing.delete(key);
      if (prev?.attachment?.key) this.forgetImage(prev.attachment.key);
    }
    this.render();
  }

  render() {
    const sorted = [...this.notes].sort(([ka, a], [kb, b]) => (b.updated ?? 0) - (a.updated ?? 0) || ka.localeCompare(kb));
    sorted.forEach(([key, note], i) => {
      let li = this.elements.get(key);
      if (!li) {
        li = el('li', 'note');
        li.dataset.key = key;
        this.elements.set(key, li);
      }
      if (!this.editing.has(key)) this.fill(li, key, note);
      // Move only what is out of place: moving an element loses its focus.
      if (this.list.children[i] !== li) this.list.insertBefore(li, this.list.children[i] ?? null);
    });
    for (const [key, li] of this.elements) {
      if (!this.notes.has(key)) {
        li.remove();
        this.elements.delete(key);
      }
    }
    this.empty.hidden = this.notes.size > 0;
  }

  /** Fills li with note, unless it shows that already. */
  fill(li, key, note) {
    const att = note.attachment;
    let image = 'none';
    if (att) {
      if (!this.images.has(att.key) && !this.loading.has(att.key)) this.loadImage(att);
      image = this.images.has(att.key) ? (this.images.get(att.key) ? 'loaded' : 'missing') : 'loading';
    }
    const shown = `${JSON.stringify(note)}|${image}`;
    if (this.shown.get(li) === shown) return;
    this.shown.set(li, shown);
    li.dataset.attachment = image;
    li.replaceChildren();

    if (image === 'loaded') {
      const img = el('img', 'thumb');
      img.src = this.images.get(att.key);
      img.alt = note.title ? `Image of “${note.title}”` : 'Attached image';
      li.append(img);
    } else if (image !== 'none') {
      li.append(el('div', 'thumb placeholder', image === 'loading' ? '…' : this.missingImage));
    }
    const body = el('div', 'body');
    body.append(el('h3', 'title', note.title || '(untitled)'), el('p', 'text', note.text ?? ''));
    const meta = [`edited ${new Date(note.updated ?? 0).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`];
    if (att) meta.push(`${att.type}, ${formatSize(att.size ?? 0)}`);
    body.append(el('p', 'meta', meta.join(' · ')));
    const actions = el('div', 'actions');
    const edit = el('button', 'edit', 'Edit');
    const del = el('button', 'delete', 'Delete');
    edit.type = del.type = 'button';
    edit.addEventListener('click', () => this.startEdit(li, key));
    del.addEventListener('click', () => guard(`Deleting a note on ${this.label}`, del, async () => {
      await this.engine.exec([{ del: key }]);
      if (att?.key) await this.engine.deleteBlob(att.key);
    }));
    actions.append(edit, del);
    li.append(body, actions);
  }

  startEdit(li, key) {
    const note = this.notes.get(key);
    if (!note) return;
    this.editing.add(key);
    this.shown.delete(li);
    const form = el('form', 'edit-note');
    const title = el('input', 'edit-title');
    title.value = note.title ?? '';
    title.setAttribute('aria-label', 'Title');
    const text = el('textarea', 'edit-text');
    text.value = note.text ?? '';
    text.rows = 3;
    text.setAttribute('aria-label', 'Text');
    const save = el('button', 'save', 'Save');
    const cancel = el('button', 'cancel', 'Cancel');
    cancel.type = 'button';
    const row = el('div', 'form-row');
    row.append(cancel, save);
    form.append(title, text, row);
    li.replaceChildren(form);
    title.focus();

    const done = () => {
      this.editing.delete(key);
      this.render();
    };
    cancel.addEventListener('click', done);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      guard(`Saving a note on ${this.label}`, save, async () => {
        // The note as it is now (a sync may have changed it meanwhile), with
        // this form's title and text: last writer wins.
        const now = this.notes.get(key) ?? note;
        const edited = { ...now, title: title.value.trim(), text: text.value.trim(), updated: Date.now() };
        await this.engine.exec([{ put: key, value: JSON.stringify(edited) }]);
        done();
        say(`${this.label}: saved “${edited.title || edited.text}”.`);
      });
    });
  }

  /** Reads an attachment from the blob tier into an object URL, then renders. */
  async loadImage(att) {
    this.loading.set(att.key, false);
    let url = null;
    try {
      const bytes = await this.engine.getBlob(att.key, this.blobSource ? { from: this.blobSource } : {});
      if (bytes) url = URL.createObjectURL(new Blob([bytes], { type: att.type }));
    } catch (err) {
      // Not here, and no server to fetch it from right now (offline): shown
      // as missing until the next sync (retryImages).
      if (err?.code !== 'UNAVAILABLE') showError(`Reading ${att.key} on ${this.label}`, err);
    }
    const arrived = this.loading.get(att.key);
    this.loading.delete(att.key);
    if (arrived && !url) {
      this.loadImage(att); // it arrived while this read was under way: read again
      return;
    }
    if (![...this.notes.values()].some((n) => n.attachment?.key === att.key)) {
      if (url) URL.revokeObjectURL(url); // its note was deleted meanwhile
      return;
    }
    this.images.set(att.key, url);
    this.render();
  }

  forgetImage(key) {
    const url = this.images.get(key);
    if (url) URL.revokeObjectURL(url);
    this.images.delete(key);
  }

  /** After a sync: images shown as missing are read again (a sync brings their bytes, or a way to fetch them). */
  retryImages() {
    let again = false;
    for (const [key, url] of this.images) {
      if (url !== null) continue;
      this.images.delete(key);
      again = true;
    }
    for (const key of this.loading.keys()) this.loading.set(key, true);
    if (again) this.render();
  }

  /** Shows this.cursors: this device first, then the other one, then any other peer. */
  renderCursors() {
    const cursors = this.cursors;
    const rank = (peer) => (peer === this.engine.peer ? 0 : peer === this.other?.engine?.peer ? 1 : 2);
    const label = (peer) => ['this device', this.other?.label ?? '', ''][rank(peer)];
    const peers = Object.keys(cursors).sort((p, q) => rank(p) - rank(q) || p.localeCompare(q));
    const rows = peers.map((peer) => {
      const tr = el('tr');
      tr.dataset.peer = peer;
      const who = el('td', 'who');
      const id = el('code', '', short(peer));
      id.title = peer;
      who.append(id, ' ', el('span', 'label', label(peer)));
      tr.append(who, el('td', 'next', String(cursors[peer])));
      return tr;
    });
    if (rows.length === 0) {
      const tr = el('tr', 'none');
      const td = el('td', '', 'no entries yet');
      td.colSpan = 2;
      tr.append(td);
      rows.push(tr);
    }
    this.cursorRows.replaceChildren(...rows);
  }
}

function fatal(doing, err) {
  showError(doing, err);
  document.body.dataset.state = 'error';
  $('#sync').disabled = true;
}

// Served by `make demo` (web/demo/run.mjs), the page learns where the sync
// server is: then it is one device, syncing live through it (?view=two
// keeps the two devices in one page).
const config = await fetch('./config.json').then((r) => (r.ok ? r.json() : null)).catch(() => null);
if (config?.server && new URLSearchParams(location.search).get('view') !== 'two') {
  await device(config);
} else {
  await twoDevices();
}

/**
 * One device of the notes app: its database, live() through the server, its
 * status and pending count, and a toggle that cuts its transport (fetch
 * fails, the live channel closes), to watch edits queue up and flow.
 */
async function device(cfg) {
  document.body.dataset.view = 'device';
  $('.lede').textContent = 'This browser profile is one device. Open this page in another profile (or a private '
    + 'window): each syncs live through the sync server, and works offline.';
  $('#pane-b').remove();
  const help = [
    'This device has its own IndexedDB database (notes-device) and peer id; the engine runs in a worker every tab of it shares.',
    'live() pushes each write to the sync server soon after it commits, and pulls as soon as the server\'s live channel says another device wrote; the status says when it last synced and how many changes wait.',
    'Work offline cuts this device\'s transport: edits stay here and queue up; Go online and they flow (a device whose server is down backs off and retries on its own).',
    'A note is the key note/<id> with a JSON value in the replicated log; when two devices change one note, the later write wins.',
    'An image is an attachment (putBlob): it goes up to the server before the note that shows it, and another device fetches it when it shows the note. ?view=two shows two devices in one page.',
  ];
  $('.help ul').replaceChildren(...help.map((t) => el('li', '', t)));
  const column = $('.sync-column');
  column.replaceChildren();
  const state = el('output', 'live-state', 'connecting…');
  state.id = 'live';
  const toggle = el('button', '', 'Work offline');
  toggle.id = 'offline';
  toggle.type = 'button';
  column.append(state, toggle);
  const pane = new Pane('a', 'This device', 'notes-device');
  pane.missingImage = 'image on another device: it comes when this one is online';
  globalThis.demo = { device: pane };
  window.addEventListener('unhandledrejection', (ev) => showError('An operation', ev.reason));
  try {
    await pane.start();
  } catch (err) {
    fatal('Opening the database', err);
    return;
  }
  const net = { online: true, sockets: new Set() };
  const cutFetch = (...args) => (net.online ? fetch(...args) : Promise.reject(new TypeError('offline (the demo cut it)')));
  class CutSocket extends WebSocket {
    constructor(u) {
      super(net.online ? u : 'ws://127.0.0.1:9/offline');
      net.sockets.add(this);
      this.addEventListener('close', () => net.sockets.delete(this));
    }
  }
  const transport = fetchTransport(cfg.server, { space: cfg.space, token: cfg.token, fetch: cutFetch, WebSocket: CutSocket });
  pane.blobSource = transport;
  const ls = live(pane.engine, transport, { maxBackoff: 5_000 });
  globalThis.demo.live = ls;
  ls.subscribe((s) => {
    state.dataset.state = s.state;
    state.dataset.pending = s.pending;
    const waiting = s.pending ? ` · ${s.pending} change${s.pending === 1 ? '' : 's'} waiting` : '';
    const last = s.lastSync ? ` · synced ${new Date(s.lastSync).toLocaleTimeString()}` : '';
    state.textContent = `${net.online ? s.state : 'offline (cut)'}${waiting}${last}`;
    if (s.state === 'error' && s.error) showError('Live sync', s.error);
    if (s.state === 'live') pane.retryImages();
  });
  toggle.addEventListener('click', () => {
    net.online = !net.online;
    toggle.textContent = net.online ? 'Work offline' : 'Go online';
    toggle.setAttribute('aria-pressed', String(!net.online));
    if (net.online) window.dispatchEvent(new Event('online'));
    else for (const s of net.sockets) s.close();
    say(net.online ? 'Back online: queued edits go to the server.' : 'Offline: edits stay on this device until you go online.');
  });
  say(`Ready. This device is peer ${short(pane.engine.peer)}, syncing with ${cfg.server} (space ${cfg.space}).`);
  document.body.dataset.state = 'ready';
}

async function twoDevices() {
  const a = new Pane('a', 'Device A', 'notes-a');
  const b = new Pane('b', 'Device B', 'notes-b');
  a.other = b;
  b.other = a;
  // For the console: demo.a.engine is Device A's Engine.
  globalThis.demo = { a, b };

  window.addEventListener('unhandledrejection', (ev) => showError('An operation', ev.reason));

  try {
    await Promise.all([a.start(), b.start()]);
    // Each table labels the other device's peer, known now both are open.
    for (const pane of [a, b]) pane.renderCursors();
    const syncButton = $('#sync');
    const result = $('#sync-result');
    syncButton.addEventListener('click', () => guard('Sync', syncButton, async () => {
      // Two engines of one worker: the sync carries the images' bytes too.
      const { toA, toB } = await sync(a.engine, b.engine);
      for (const pane of [a, b]) pane.retryImages();
      result.dataset.toA = toA;
      result.dataset.toB = toB;
      result.dataset.syncs = Number(result.dataset.syncs) + 1;
      result.textContent = `toA: ${toA}, toB: ${toB}`;
      say(`Synced: ${toA} entr${toA === 1 ? 'y' : 'ies'} to Device A, ${toB} to Device B.`);
    }));
    syncButton.disabled = false;
    say(`Ready. Device A is peer ${short(a.engine.peer)}, Device B is peer ${short(b.engine.peer)}.`);
    document.body.dataset.state = 'ready';
  } catch (err) {
    fatal('Opening the databases', err);
  }
}
