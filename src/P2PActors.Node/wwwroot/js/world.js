// The shared world: a zone is a map from the shared catalog (its content id). The canvas draws it tile by tile; the
// player's avatar moves with the arrow keys or a click (a path of single steps), every step is a `move` the node may
// refuse (`not-walkable`, `unknown-zone`), and everyone else in the zone moves live from `position` pushes and, when a
// data channel is up, from their peers directly.
import { api } from './api.js';
import { $, h, clear, toast } from './dom.js';
import { session } from './session.js';
import * as client from './client.js';
import { player, on, emit } from './state.js';
import { rtc } from './rtc.js';

const TILE_COLORS = { g: '#5b9e3e', f: '#2f6b2a', w: '#2e6fb5', m: '#847a6a', d: '#dcc27e', '.': '#9a8e7a', '#': '#332e36' };
const WALKABLE = new Set(['g', 'f', 'd', '.']);
const SPAWN_COLORS = { enemy: '#e8383d', npc: '#ffe14d', treasure: '#ff9e1a' };
const STEP_MS = 110;
/** The zone this tab is in, kept for a reload of the tab (sessionStorage: this tab only). */
const ZONE_KEY = 'p2p.zone';

/** @type {{ id: string, map: any } | null} */
let zone = null;
/** @type {{x: number, y: number} | null} */
let me = null;
/** Other players in the zone: playerId -> { x, y, at } */
const others = new Map();
let tile = 16;
/**
 * The part of the map the canvas shows, in tiles. A map that fits at a readable size is shown whole; a larger one
 * (up to 256×256) is shown around the avatar, which the view follows, instead of at 2 or 3 px a tile.
 */
const view = { x0: 0, y0: 0, cols: 0, rows: 0 };
/** The canvas's largest size, in px. */
const VIEW_W = 760, VIEW_H = 480;
/** The smallest tile shown unless the player zooms out: below it the tiles, avatars and spawns are hard to tell apart. */
const READABLE_TILE = 12;
/** Tile sizes the zoom buttons step through (besides the one that fits the whole map). */
const ZOOM_TILES = [4, 8, 12, 16, 24, 32];
/** The tile size the player chose with the zoom buttons; 0 while the page chooses. */
let zoomTile = 0;
/** @type {{x: number, y: number}[]} */
let path = [];
/** The last move sent, settled or not: leaving waits for it, or a move the node takes after the leave puts the player back. */
let moving = Promise.resolve();
/** Set while the zone is being left: no more moves are sent. */
let leaving = false;
let walking = false;
/** Counts calls of enter(): a call that another started after it gives way (two zones entered at once, a resume). */
let entering = 0;
/**
 * The last positions (un)subscription sent: each waits for the one before, since the node runs a connection's requests
 * concurrently and two zones entered at once could otherwise leave the page subscribed to the first.
 */
let subscribing = Promise.resolve();

/** Sends a positions (un)subscription after the one before it has been answered; rejects as the request does. */
function positions(type, zone) {
  const sent = subscribing.then(() => session.request(type, zone ? { topics: ['positions'], zone } : { topics: ['positions'] }));
  subscribing = sent.catch(() => { /* the next one goes anyway */ });
  return sent;
}

export const world = {
  get zone() { return zone?.id ?? null; },
  get position() { return me ? { ...me } : null; },
  get players() { return Object.fromEntries([...others].map(([id, p]) => [id, { x: p.x, y: p.y }])); },
  get view() { return { tile, ...view }; },
  enter,
  step,
  leaveOnNode,
};

/**
 * Takes the player off the zone's map on the node, so the other pages see them go now rather than when they go offline;
 * the page's own view is left to the caller. Nothing to do when the page is on no map.
 */
async function leaveOnNode() {
  if (!zone) return;
  // No step after this one: a walk in progress or a key pressed now would send a move the node could take after the
  // leave, and put the player back on the map.
  leaving = true;
  path = [];
  await moving;
  const failed = (e) => toast(`The node still shows you on the map: ${e.describe?.() ?? e.message}`);
  if (session.ready) {
    await session.request('leave-zone').catch(failed);
  } else if (player.name) {
    // The socket is down (reconnecting): the node still holds the session, which keeps the player online where they
    // stood, and nothing after the resume would take them off. HTTP carries the leave now, with the session's token.
    await api(`/api/players/${encodeURIComponent(player.name)}/position`, { method: 'DELETE' }).catch(failed);
  }
}

export function initWorld() {
  const canvas = /** @type {HTMLCanvasElement} */ ($('world'));
  canvas.addEventListener('keydown', (event) => {
    // Ctrl/Cmd with + or - is the browser's own zoom.
    if ((event.key === '+' || event.key === '=' || event.key === '-') && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      zoom(event.key === '-' ? -1 : 1);
      return;
    }
    const delta = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] }[event.key];
    if (!delta) return;
    event.preventDefault();
    path = [];
    step(delta[0], delta[1]);
  });
  canvas.addEventListener('click', (event) => {
    if (!zone || !me) return;
    const rect = canvas.getBoundingClientRect();
    const x = view.x0 + Math.floor(((event.clientX - rect.left) * canvas.width / rect.width) / tile);
    const y = view.y0 + Math.floor(((event.clientY - rect.top) * canvas.height / rect.height) / tile);
    walkTo(x, y);
  });
  $('zoom-in').addEventListener('click', () => zoom(1));
  $('zoom-out').addEventListener('click', () => zoom(-1));
  $('zone-join').addEventListener('click', () => {
    const id = /** @type {HTMLSelectElement} */ ($('zone-select')).value;
    // Entering again would put the player back on the spawn.
    if (id && id === zone?.id && me) toast('You are in this zone already.');
    else if (id) enter(id);
    else toast('Pick a shared map first: share a map from the Create tab.');
  });
  // The zone list is read while the World tab shows (and when it is opened), not on every catalog change elsewhere.
  // Not while the list is being used: rebuilt under the user's hand, it would close or reset their choice.
  on('catalog', () => { if (!$('panel-world').hidden && document.activeElement !== $('zone-select')) loadZones(); });
  on('enter-zone', (id) => {
    // From the catalog: entering the zone the player stands in would put them back on the spawn.
    if (id === zone?.id && me) {
      toast('You are in this zone already.');
      emit('zone', id);
    } else enter(id);
  });
  on('tab', (tab) => { if (tab === 'world') loadZones(); });
  on('left', () => leaveZone());
  $('zone-leave').addEventListener('click', async () => {
    await leaveOnNode();
    await leaveZone();
    // The button hid itself: focus goes where the player would enter a zone again, not to the top of the page.
    $('zone-join').focus();
    await positions('unsubscribe').catch(() => { /* the connection is gone: nothing to stop */ });
    emit('zone-left');
  });
  // A reload of the tab: the session resumed (main.js joins again), so stand in the zone the tab was in.
  on('joined', () => {
    const saved = sessionStorage.getItem(ZONE_KEY);
    if (saved && !zone) enter(saved);
  });
  // One positions push carries every move the node had pending for this page: apply them all, draw once.
  session.on('positions', (batch) => {
    if (!zone || !Array.isArray(batch.moves)) return;
    let changed = false;
    for (const p of batch.moves) {
      if (p.playerId === player.name) continue;
      // A player who went offline (page closed, not heard from for the presence timeout) is sent once more, marked so;
      // a player who moved to another zone is sent once more with that zone. Either way they leave this map.
      if (p.offline === true || p.zone !== zone.id) changed = forget(p.playerId, p.updatedAtMs ?? Date.now()) || changed;
      else changed = remember(p.playerId, p.x, p.y, p.updatedAtMs ?? Date.now()) || changed;
    }
    if (changed) {
      draw();
      renderPlayers();
    }
  });
  session.on('resumed', () => { if (zone) enter(zone.id, true); });
  // A peer's word is not checked by any node: take only a tile of this map that can be entered, and no time later than
  // now, or a peer could stand in a wall, or stamp one move in the future and hide every later move the node sends.
  rtc.onPosition((playerId, message) => {
    if (!zone || message.zone !== zone.id || playerId === player.name) return;
    const row = zone.map.rows[message.y];
    if (typeof row !== 'string' || message.x < 0 || message.x >= row.length || !WALKABLE.has(row[message.x])) return;
    const at = Number.isFinite(message.at) ? Math.min(message.at, Date.now()) : 0;
    setOther(playerId, message.x, message.y, at);
  });
  rtc.onPeerLeft((peer) => {
    others.delete(peer.playerId);
    draw();
    renderPlayers();
  });
  draw();
  renderPlayers();
}

function setOther(playerId, x, y, at) {
  if (!remember(playerId, x, y, at)) return;
  draw();
  renderPlayers();
}

/** Records another player's position; false when it is older than the one known (late, on the other path). */
function remember(playerId, x, y, at) {
  const known = others.get(playerId);
  if (known && known.at > at) return false;
  others.set(playerId, { x, y, at });
  return true;
}

/** Takes a player off the map unless a newer position of them in this zone is known. */
function forget(playerId, at) {
  const known = others.get(playerId);
  if (!known || known.at > at) return false;
  others.delete(playerId);
  return true;
}

async function loadZones() {
  try {
    const page = await client.catalog('map', 0, 100);
    const select = /** @type {HTMLSelectElement} */ ($('zone-select'));
    const chosen = select.value || zone?.id || '';
    // Older maps than the newest 100 are entered from the Catalog tab (type map, Enter zone): say so rather than hide them.
    const prompt = page.total > page.entries.length
      ? `Pick a shared map… (the newest ${page.entries.length} of ${page.total}; the others from the Catalog tab)`
      : page.entries.length ? 'Pick a shared map…' : 'No shared map yet';
    clear(select, h('option', { value: '' }, prompt),
      page.entries.map((e) => h('option', { value: e.id, selected: e.id === chosen }, `${e.name} (by ${e.author})`)));
  } catch {
    // The catalog panel reports failures; the list simply stays as it was.
  }
}

/** Enters a zone: loads its map, subscribes to its positions, joins its WebRTC room and stands on the spawn. */
async function enter(id, again = false) {
  const ticket = ++entering;
  // A walk in progress belongs to the map being left: its steps must not be sent as moves on the new one.
  path = [];
  if (!player.name) {
    toast('Join first: the world needs a live connection to the node.');
    return;
  }
  if (!session.ready) {
    toast('The connection to the node is down: the page reconnects by itself; enter the zone once it is back.');
    return;
  }
  try {
    const { data: map } = await api(`/api/content/${id}`);
    if (ticket !== entering) return;
    if (map.type !== 'map') throw new Error('That content is not a map.');
    if (!again && zone && zone.id !== id) await rtc.leave();
    // Another zone starts at the page's own zoom; a resume keeps the player's.
    if (zone?.id !== id) zoomTile = 0;
    zone = { id, map };
    resize(true);
    draw();
    others.clear();
    await positions('subscribe', id);
    // The world works without peers: a node that cannot seat the page in the zone's room still lets it play.
    await rtc.join(id).catch((e) => toast(`No peer-to-peer room: ${e.describe?.() ?? e.message}`));
    // Another zone entered meanwhile: it goes on from here, and this one must not move the player or leave.
    if (ticket !== entering) return;
    const spawn = map.spawns.find((s) => s.kind === 'player');
    const start = again && me ? me : { x: spawn.x, y: spawn.y };
    me = null;
    const placed = await moveTo(start.x, start.y);
    if (ticket !== entering) return;
    if (!placed) {
      // Without a place on the map the keys and clicks do nothing: say so, rather than show a map that ignores them.
      const why = $('zone-status').textContent;
      // The node still has the player where they stood before (another zone): take them off it there too.
      await leaveOnNode();
      await leaveZone();
      $('zone-status').textContent = `Could not enter ${map.name}: ${why} Press Enter zone to try again.`;
      return;
    }
    sessionStorage.setItem(ZONE_KEY, id);
    $('zone-leave').hidden = false;
    $('zoom-in').hidden = false;
    $('zoom-out').hidden = false;
    $('zone-status').textContent = `${map.name} · ${map.width}×${map.height}`;
    /** @type {HTMLSelectElement} */ ($('zone-select')).value = id;
    resize(true);
    draw();
    renderPlayers();
    // The World tab shows first (entered from the catalog it is hidden): a hidden canvas cannot take the focus.
    emit('zone', id);
    $('world').focus();
  } catch (e) {
    toast(e instanceof client.RequestError ? e.describe() : String(e.message ?? e));
  }
}

async function leaveZone() {
  zone = null;
  me = null;
  leaving = false;
  sessionStorage.removeItem(ZONE_KEY);
  $('zone-leave').hidden = true;
  $('zoom-in').hidden = true;
  $('zoom-out').hidden = true;
  others.clear();
  await rtc.leave();
  $('zone-status').textContent = '';
  draw();
  renderPlayers();
}

/** One step; the node decides whether the tile can be entered. */
async function step(dx, dy) {
  if (!zone || !me) return;
  await moveTo(me.x + dx, me.y + dy);
}

async function moveTo(x, y) {
  if (!zone || leaving) return false;
  try {
    const sent = session.request('move', { zone: zone.id, x, y });
    moving = sent.catch(() => { /* answered below */ });
    await sent;
    me = { x, y };
    rtc.broadcast({ t: 'pos', zone: zone.id, x, y, at: Date.now() });
    $('zone-status').textContent = `${zone.map.name} · you are at (${x}, ${y})`;
    draw();
    renderPlayers();
    return true;
  } catch (e) {
    const code = e?.code ?? e?.problem?.code;
    $('zone-status').textContent = code === 'not-walkable' ? `Blocked: (${x}, ${y}) cannot be entered.` : (e.describe?.() ?? String(e.message ?? e));
    // The tile flashes only when it is the tile that was refused, not for a connection or rate problem.
    if (code === 'not-walkable' || code === 'out-of-bounds') flash(x, y);
    return false;
  }
}

/** Click to walk: a shortest path over walkable tiles, walked one refusable step at a time. */
function walkTo(tx, ty) {
  if (!zone || !me) return;
  const { width, height, rows } = zone.map;
  if (tx < 0 || ty < 0 || tx >= width || ty >= height) return;
  const prev = new Map([[`${me.x},${me.y}`, '']]);
  const queue = [[me.x, me.y]];
  while (queue.length) {
    const [x, y] = /** @type {number[]} */ (queue.shift());
    if (x === tx && y === ty) break;
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
      const nx = x + dx, ny = y + dy, key = `${nx},${ny}`;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height || prev.has(key)) continue;
      if (!WALKABLE.has(rows[ny][nx]) && !(nx === tx && ny === ty)) continue;
      prev.set(key, `${x},${y}`);
      queue.push([nx, ny]);
    }
  }
  if (!prev.has(`${tx},${ty}`)) {
    $('zone-status').textContent = `No way to (${tx}, ${ty}).`;
    return;
  }
  path = [];
  for (let key = `${tx},${ty}`; key !== `${me.x},${me.y}`; key = /** @type {string} */ (prev.get(key))) {
    const [x, y] = key.split(',').map(Number);
    path.unshift({ x, y });
  }
  if (!walking) walk();
}

async function walk() {
  walking = true;
  while (path.length) {
    const next = /** @type {{x: number, y: number}} */ (path.shift());
    if (!(await moveTo(next.x, next.y))) path = [];
    await new Promise((resolve) => setTimeout(resolve, STEP_MS));
  }
  walking = false;
}

/** The tile size at which the whole map fits the canvas (at most 24 px). */
function fitTile() {
  const { width, height } = /** @type {{map: any}} */ (zone).map;
  // 1 px at the least: a 256-row map needs it to fit the 480 px canvas whole.
  return Math.max(1, Math.min(24, Math.floor(Math.min(VIEW_W / width, VIEW_H / height))));
}

/** The zoom levels of this map, smallest first: the whole map, then every larger size of ZOOM_TILES. */
function zoomLevels() {
  const fit = fitTile();
  return [fit, ...ZOOM_TILES.filter((t) => t > fit)];
}

/** One zoom level in (+1) or out (-1); the view stays on the avatar. */
function zoom(direction) {
  if (!zone) return;
  const levels = zoomLevels();
  const at = levels.findIndex((t) => t >= tile);
  const next = levels[Math.max(0, Math.min(levels.length - 1, (at < 0 ? levels.length - 1 : at) + direction))];
  if (next === tile) return;
  zoomTile = next;
  resize(true);
  draw();
}

/** Sizes the canvas for the zone and the zoom; centred (on entering, on a zoom) puts the avatar in the middle. */
function resize(centred = false) {
  const canvas = /** @type {HTMLCanvasElement} */ ($('world'));
  if (!zone) return;
  const { width, height } = zone.map;
  const fit = fitTile();
  tile = zoomTile ? Math.max(fit, zoomTile) : Math.max(fit, READABLE_TILE);
  view.cols = Math.min(width, Math.floor(VIEW_W / tile));
  view.rows = Math.min(height, Math.floor(VIEW_H / tile));
  canvas.width = view.cols * tile;
  canvas.height = view.rows * tile;
  const levels = zoomLevels();
  /** @type {HTMLButtonElement} */ ($('zoom-out')).disabled = tile <= levels[0];
  /** @type {HTMLButtonElement} */ ($('zoom-in')).disabled = tile >= levels[levels.length - 1];
  follow(centred);
}

/**
 * Keeps the avatar in view: the view moves only when the avatar comes within a few tiles of its edge (a camera fixed
 * on the avatar would scroll the whole map at every step), or centres it when asked.
 */
function follow(centred = false) {
  if (!zone) return;
  const { width, height } = zone.map;
  const spawn = zone.map.spawns.find((s) => s.kind === 'player');
  const at = me ?? (spawn ? { x: spawn.x, y: spawn.y } : { x: 0, y: 0 });
  const axis = (x0, size, total, p) => {
    const margin = Math.min(4, Math.floor(size / 4));
    if (centred || p < x0 + margin || p > x0 + size - 1 - margin) {
      x0 = centred ? p - Math.floor(size / 2) : p < x0 + margin ? p - margin : p - size + 1 + margin;
    }
    return Math.max(0, Math.min(total - size, x0));
  };
  view.x0 = axis(view.x0, view.cols, width, at.x);
  view.y0 = axis(view.y0, view.rows, height, at.y);
}

export function colorOf(name) {
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 80% 60%)`;
}

let flashTile = null;
function flash(x, y) {
  flashTile = { x, y };
  draw();
  setTimeout(() => { flashTile = null; draw(); }, 300);
}

function draw() {
  const canvas = /** @type {HTMLCanvasElement} */ ($('world'));
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  g.fillStyle = '#0f1424';
  g.fillRect(0, 0, canvas.width, canvas.height);
  if (!zone) {
    g.fillStyle = '#8b93b5';
    g.font = '15px system-ui, sans-serif';
    g.textAlign = 'center';
    g.fillText('Pick a shared map and press Enter zone', canvas.width / 2, canvas.height / 2);
    return;
  }
  follow();
  const { rows, spawns } = zone.map;
  const { x0, y0, cols, rows: viewRows } = view;
  // Drawn in view coordinates: tile (x, y) of the map is at ((x - x0) * tile, (y - y0) * tile) on the canvas.
  for (let y = y0; y < y0 + viewRows; y++) {
    const row = rows[y] ?? '';
    for (let x = x0; x < x0 + cols; x++) {
      g.fillStyle = TILE_COLORS[row[x]] ?? '#ff00ff';
      g.fillRect((x - x0) * tile, (y - y0) * tile, tile, tile);
    }
  }
  if (tile >= 8) {
    g.strokeStyle = 'rgb(0 0 0 / 12%)';
    g.lineWidth = 1;
    for (let x = 0; x <= cols; x++) { g.beginPath(); g.moveTo(x * tile + 0.5, 0); g.lineTo(x * tile + 0.5, canvas.height); g.stroke(); }
    for (let y = 0; y <= viewRows; y++) { g.beginPath(); g.moveTo(0, y * tile + 0.5); g.lineTo(canvas.width, y * tile + 0.5); g.stroke(); }
  }
  for (const s of spawns) {
    if (s.kind === 'player' || !inView(s.x, s.y)) continue;
    g.fillStyle = SPAWN_COLORS[s.kind] ?? '#fff';
    g.fillRect((s.x - x0) * tile + tile * 0.3, (s.y - y0) * tile + tile * 0.3, tile * 0.4, tile * 0.4);
  }
  if (flashTile && inView(flashTile.x, flashTile.y)) {
    g.strokeStyle = '#ef4444';
    g.lineWidth = 2;
    g.strokeRect((flashTile.x - x0) * tile + 1, (flashTile.y - y0) * tile + 1, tile - 2, tile - 2);
  }
  for (const [name, p] of others) if (inView(p.x, p.y)) avatar(g, name, p.x, p.y, false);
  if (me && player.name) avatar(g, player.name, me.x, me.y, true);
}

function inView(x, y) {
  return x >= view.x0 && x < view.x0 + view.cols && y >= view.y0 && y < view.y0 + view.rows;
}

function avatar(g, name, x, y, self) {
  const cx = (x - view.x0) * tile + tile / 2, cy = (y - view.y0) * tile + tile / 2, r = Math.max(3, tile * 0.42);
  g.beginPath();
  g.arc(cx, cy, r, 0, Math.PI * 2);
  g.fillStyle = colorOf(name);
  g.fill();
  g.lineWidth = self ? 3 : 1.5;
  g.strokeStyle = self ? '#ffffff' : '#0f1424';
  g.stroke();
  g.font = '600 11px system-ui, sans-serif';
  g.textAlign = 'center';
  const label = self ? `${name} (you)` : name;
  const w = g.measureText(label).width + 8;
  g.fillStyle = 'rgb(15 20 36 / 75%)';
  g.fillRect(cx - w / 2, cy - r - 17, w, 14);
  g.fillStyle = '#fff';
  g.fillText(label, cx, cy - r - 6);
}

function renderPlayers() {
  const list = [];
  if (me && player.name) list.push(h('li', { 'data-player': player.name }, h('span', { class: 'swatch', style: `background:${colorOf(player.name)}` }),
    h('span', { class: 'grow' }, `${player.name} (you)`), h('span', { class: 'small muted' }, `${me.x}, ${me.y}`)));
  for (const [name, p] of others) {
    list.push(h('li', { 'data-player': name }, h('span', { class: 'swatch', style: `background:${colorOf(name)}` }),
      h('span', { class: 'grow' }, name), h('span', { class: 'small muted' }, `${p.x}, ${p.y}`)));
  }
  clear($('zone-players'), list.length ? list : h('li', { class: 'muted' }, 'Nobody here yet.'));
}
