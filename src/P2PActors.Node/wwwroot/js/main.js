// Entry point: tabs, joining (the WebSocket session), and the sections. Plain ES modules served by the node; nothing
// is fetched from anywhere else.
import { api, PLAYER_ID } from './api.js';
import { $, clear, toast } from './dom.js';
import { player, emit, on } from './state.js';
import { session, SocketRefused } from './session.js';
import { initCreate } from './create.js';
import { initCatalog } from './catalog.js';
import { initPanels, logOutcome, renderCluster, renderValidators } from './panels.js';
import { initWorld, world, colorOf } from './world.js';
import { initRtc, rtc } from './rtc.js';
import { initInventory, inventory } from './inventory.js';

function initTabs() {
  const tabs = /** @type {HTMLButtonElement[]} */ ([...document.querySelectorAll('[role="tab"]')]);
  const select = (tab, focus = true) => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      $(/** @type {string} */ (t.getAttribute('aria-controls'))).hidden = !selected;
    }
    if (focus) tab.focus();
    const name = tab.id.replace('tab-', '');
    // The tab is in the address, so a reload or a shared link opens the same section.
    if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
    emit('tab', name);
  };
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab));
    // Roving tab index: arrows move between tabs, Tab moves into the panel (WAI-ARIA tabs pattern).
    tab.addEventListener('keydown', (event) => {
      const i = tabs.indexOf(tab);
      if (event.key === 'ArrowRight') select(tabs[(i + 1) % tabs.length]);
      else if (event.key === 'ArrowLeft') select(tabs[(i + tabs.length - 1) % tabs.length]);
      else return;
      event.preventDefault();
    });
  }
  on('zone', () => select(/** @type {HTMLButtonElement} */ ($('tab-world')), false));
  on('show-tab', (name) => select(/** @type {HTMLButtonElement} */ ($(`tab-${name}`)), false));
  const initial = tabs.find((t) => `#${t.id.replace('tab-', '')}` === location.hash);
  if (initial) select(initial, false);
}

function initJoin() {
  const input = /** @type {HTMLInputElement} */ ($('player-name'));
  input.value = localStorage.getItem('p2p.player') ?? '';
  $('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!PLAYER_ID.test(name)) {
      toast('A player name is 1 to 64 letters, digits, "_" or "-".');
      return;
    }
    join(name);
  });
  $('leave-button').addEventListener('click', async () => {
    // Off the zone's map before the socket closes, or the others keep seeing the player until they time out.
    await world.leaveOnNode();
    session.leave();
    showLeft();
    input.focus();
  });
}

/** Back to the join form: the player left, or another tab or node took the session over. */
function showLeft() {
  player.name = null;
  $('live-status').hidden = true;
  $('player-badge').hidden = true;
  $('join-form').hidden = false;
  emit('left');
}

async function join(name) {
  const button = /** @type {HTMLButtonElement} */ ($('join-button'));
  button.disabled = true;
  try {
    await session.join(name);
    await subscribe();
  } catch (e) {
    // The socket may have opened before the hello failed: close it, or it stays open on the node with no session.
    session.disconnect('join failed');
    button.disabled = false;
    // Every node serves /ws: a socket that did not open is a node restarting, a network gone, or a page served under
    // another origin than the node allows. Joining anyway would leave a page that cannot play until it is reloaded.
    toast(e instanceof SocketRefused
      ? `Could not join as ${name}: the node's live connection (/ws) did not open. Check that the node runs, then press Join again.`
      : `Could not join as ${name}: ${e.describe?.() ?? e.message}`);
    return;
  }
  button.disabled = false;
  player.name = name;
  localStorage.setItem('p2p.player', name);
  $('player-label').textContent = name;
  $('join-form').hidden = true;
  $('player-badge').hidden = false;
  emit('joined', name);
}

/** Catalog pushes always; consensus and membership where the node serves them (it names the topics it serves). */
async function subscribe() {
  const live = [];
  // The consensus topic starts with the node's latest decisions: the log is filled from them, not added to twice
  // (a resumed connection subscribes again).
  clear($('consensus-log'));
  for (const topic of ['catalog', 'inventory', 'consensus', 'members', 'validators']) {
    await session.request('subscribe', { topics: [topic] }).then(() => live.push(topic), () => { /* not served by this node */ });
  }
  emit('live-topics', live);
}

function initPushes() {
  // One reload for every entry shared within half a second: a busy cluster shares hundreds a second, and each reload
  // reads a page of the catalog from the node.
  let reload = null;
  session.on('catalog-entry', () => {
    reload ??= setTimeout(() => { reload = null; emit('catalog-changed'); }, 500);
  });
  session.on('consensus-outcome', (frame) => {
    const o = frame.outcome ?? frame;
    const decision = String(o.decision ?? 'decided').toLowerCase();
    const parts = [];
    if (o.approvals !== undefined) parts.push(`${o.approvals}/${o.validators ?? o.n ?? '?'} ${o.approvals === 1 ? 'approval' : 'approvals'}`);
    if (o.rules?.length) parts.push(o.rules.join(', '));
    if (o.equivocators?.length) parts.push(`equivocators: ${o.equivocators.length}`);
    logOutcome(decision, o.contentId ?? '', parts.join(' · '), o.decidedAtMs);
  });
  session.on('members', (f) => renderCluster({ members: f.members, selfAddress: session.welcome?.node }));
  session.on('validators', (f) => renderValidators(f));
  session.on('welcome', (w) => $('conn-text').dataset.peer = w.peerId);
  // Entries shared while the connection was down were pushed to nobody: read the catalog again once it is back.
  session.on('resumed', () => { $('live-status').hidden = true; subscribe(); emit('catalog-changed'); });
  session.on('taken', () => {
    toast('This player was taken over by another tab or node while the connection was down.');
    showLeft();
  });
  session.on('disconnected', (d) => {
    emit('live-topics', []);
    if (!d.wasReady) return;
    if (d.code !== 4001) {
      // Shown until the session is back (or given up): moves and live updates wait for it meanwhile.
      $('live-status').hidden = false;
      toast('Connection to the node lost; reconnecting…');
      return;
    }
    // The session is another tab's now: this one no longer acts for the player, so it offers to join again (and a
    // reload does not try the token the other tab now holds a newer one of).
    sessionStorage.removeItem(`p2p.resume.${session.playerId}`);
    toast('This player was taken over by another tab or node.');
    showLeft();
  });
}

async function start() {
  initTabs();
  initJoin();
  initPanels();
  initPushes();
  initRtc();
  initWorld();
  initInventory();
  await initCreate();
  const { data: types } = await api('/api/types');
  await initCatalog(types.map((t) => t.type));
  // For the browser tests and the curious: the page's live objects (nothing here is needed to use the page).
  Object.assign(window, { p2p: { session, world, rtc, inventory, player, colorOf } });
  // A reload of a tab that had joined: its resume token is still in this tab's storage, so join again at once (the
  // session resumes if the node still holds it) instead of showing the join form.
  const stored = localStorage.getItem('p2p.player');
  if (stored && sessionStorage.getItem(`p2p.resume.${stored}`) && PLAYER_ID.test(stored)) await join(stored);
  document.body.dataset.ready = 'true';
}

start().catch((e) => toast(`The page could not start: ${e.message}`));
