// The sidebar: cluster members, the players in the world, the validator set, the consensus log and the room's peers.
// Polled over HTTP until the node pushes them (the players in the world always are: no topic pushes presence).
import { api } from './api.js';
import { $, h, clear, shortId, timeOf } from './dom.js';
import { on, emit, player } from './state.js';
import { session } from './session.js';
import { colorOf, world } from './world.js';

const LOG_LIMIT = 60;

/** How many players the world card lists; its count says how many there are in all. */
const ONLINE_SHOWN = 20;
/** How often the card is read: every open page asks, so not as often as the panels. */
const ONLINE_EVERY_MS = 5000;
/** The most players online one read of /api/state returns (its largest page). */
const ONLINE_READ = 200;

/** Whether the node pushes every consensus outcome; until then the log shows this page's own votes. */
let consensusPushed = false;
/** Whether the node pushes membership and validator changes; until then (or after leaving) the panels are polled. */
let panelsPushed = false;
/** The node's own validator id: pushes of the validator view do not repeat it. */
let selfValidator = null;

export function initPanels() {
  on('live-topics', (topics) => {
    consensusPushed = topics.includes('consensus');
    panelsPushed = topics.includes('members') && topics.includes('validators');
  });
  on('left', () => { consensusPushed = false; panelsPushed = false; });
  on('vote', (v) => { if (!consensusPushed) logOutcome(v.decision, v.contentId, v.rules?.join(', ')); });
  on('shared', (s) => { if (!consensusPushed) logOutcome('accepted', s.id, `${s.certificate.approvals}/${s.certificate.validators} signed`); });
  on('joined', () => refreshOnline());
  // Entering a zone is a move the node applied before the page was told: read at once, not at the next tick.
  on('zone', () => refreshOnline());
  on('zone-left', () => refreshOnline());
  refresh();
  refreshOnline();
  setInterval(() => { if (!panelsPushed) refresh(); }, 3000);
  // A tab in the background does not ask: nobody reads the card meanwhile.
  setInterval(() => { if (document.visibilityState === 'visible') refreshOnline(); }, ONLINE_EVERY_MS);
}

/** Reads of the world card asked for so far: an answer is shown only if no later read was asked meanwhile. */
let onlineReads = 0;

/**
 * The players online (heard from lately: a move, or the heartbeat of an open page) who stand in a map, as this node
 * knows them. Online players in no map yet (a page that has not entered a zone, a client that only watches) are left
 * out: the card is about who can be met.
 */
async function refreshOnline() {
  // The timer's read and one on entering a zone can be in flight together: only the latest asked is shown.
  const read = ++onlineReads;
  try {
    const { data } = await api(`/api/state?take=${ONLINE_READ}`);
    if (read === onlineReads) renderOnline(data);
  } catch {
    // The node unreachable: the cluster card says so; the list keeps what it last showed.
  }
}

/** The zone as the zone list names it (the newest 100 maps, once the World tab loaded them); else a short id. */
function zoneName(zone) {
  const option = [.../** @type {HTMLSelectElement} */ ($('zone-select')).options].find((o) => o.value === zone);
  return option?.textContent ?? (/^[0-9a-f]{64}$/.test(zone) ? shortId(zone) : zone);
}

/**
 * The map a player stands in; one the page can go to (joined, and not there already) is a button that enters it, so
 * a player seen in the world can be met in a click.
 */
function zoneCell(p) {
  const zone = p.position.zone;
  const name = zoneName(zone);
  // A free-form zone name (scripts may move players to one over HTTP) is no map the page could enter.
  if (!player.name || !session.ready || zone === world.zone || !/^[0-9a-f]{64}$/.test(zone)) {
    return h('span', { class: 'muted small zone', title: zone }, name);
  }
  return h('button', { type: 'button', class: 'link small zone', title: zone, 'aria-label': `Enter ${name}, where ${p.playerId} is`,
    onclick: () => emit('enter-zone', zone) }, name);
}

function renderOnline(state) {
  const inWorld = state.online.filter((p) => p.position?.zone);
  // Past the largest page, how many more stand in a map is not known: "200+".
  $('online-count').textContent = `(${inWorld.length}${state.onlineCount > state.online.length ? '+' : ''})`;
  const shown = inWorld.slice(0, ONLINE_SHOWN);
  const more = inWorld.length - shown.length;
  clear($('online-players'), shown.map((p) => h('li', { 'data-player': p.playerId },
    h('span', { class: 'swatch', style: `background: ${colorOf(p.playerId)}` }),
    h('span', { class: 'grow' }, p.playerId + (p.playerId === player.name ? ' (you)' : '')),
    zoneCell(p)))
    .concat(more > 0 ? [h('li', { class: 'muted' }, `and ${more} more`)] : [])
    .concat(inWorld.length === 0 ? [h('li', { class: 'muted' }, 'Nobody in a map yet: enter a zone to be the first.')] : []));
}

export async function refresh() {
  try {
    const [{ data: cluster }, { data: validators }] = await Promise.all([api('/api/cluster'), api('/api/validators')]);
    renderCluster(cluster);
    renderValidators(validators);
    setConnection(true, cluster.selfAddress);
  } catch {
    setConnection(false);
  }
}

export function setConnection(up, address) {
  $('conn-dot').className = `dot ${up ? 'up' : 'down'}`;
  $('conn-text').textContent = up ? `node ${address?.replace(/^akka\.tcp:\/\/[^@]+@/, '') ?? location.host}` : 'node unreachable';
}

export function renderCluster(cluster) {
  clear($('cluster-members'), cluster.members.map((m) => h('li', { 'data-address': m.address },
    h('span', { class: 'grow mono', title: m.address }, m.address.replace(/^akka\.tcp:\/\/[^@]+@/, '') + (m.address === cluster.selfAddress ? ' (this node)' : '')),
    m.reachable ? null : h('span', { class: 'badge unreachable' }, 'unreachable'),
    h('span', { class: `badge ${m.status}` }, m.status))));
}

export function renderValidators(v) {
  if (v.self) selfValidator = v.self;
  const self = v.self ?? selfValidator;
  clear($('validator-summary'), h('strong', {}, `n = ${v.n}, threshold ${v.threshold}, f = ${v.f}`), h('br'), h('span', { class: 'muted' }, v.tolerance));
  clear($('validator-list'), v.validators.map((x) => h('li', { 'data-validator': x.id },
    h('span', { class: 'grow mono', title: `${x.id}\n${x.address}` }, shortId(x.id) + (x.id === self ? ' (this node)' : '')),
    x.equivocating ? h('span', { class: 'badge equivocating', title: `${x.evidenceCount} pieces of evidence` }, 'equivocator') : null,
    x.noVote ? h('span', { class: 'badge no-vote', title: x.noVote }, 'no vote') : null,
    h('span', { class: `badge ${x.inCurrentSet ? 'up' : ''}` }, x.inCurrentSet ? 'in set' : 'outside'))).concat(
    // Up members no identity proof names (mute, or several keys): members without a vote.
    (v.leftOut ?? []).map((m) => h('li', { 'data-left-out': m.address },
      h('span', { class: 'grow mono', title: `${m.address}${m.claimedId ? `\nclaims ${m.claimedId}` : ''}` },
        m.claimedId ? shortId(m.claimedId) : m.address.replace(/^akka\.tcp:\/\/[^@]+@/, '')),
      h('span', { class: 'badge no-vote', title: m.reason }, m.reason.startsWith('no answer') ? 'no answer' : 'no vote'),
      h('span', { class: 'badge' }, 'outside')))));
}

/** One consensus outcome seen by this node, newest first. */
export function logOutcome(decision, contentId, detail = '', atMs = undefined) {
  const log = $('consensus-log');
  // A replayed decision shows when it was decided, not when the page heard of it.
  const at = Number.isFinite(atMs) ? new Date(atMs) : new Date();
  log.prepend(h('li', { 'data-decision': decision },
    h('time', { datetime: at.toISOString() }, timeOf(at)),
    h('span', { class: `badge ${decision}` }, decision),
    h('span', { class: 'what mono', title: `${contentId}\n${detail}` }, `${shortId(contentId)} ${detail}`)));
  while (log.children.length > LOG_LIMIT) log.lastElementChild?.remove();
}
