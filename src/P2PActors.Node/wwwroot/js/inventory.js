// The Inventory card: the items the player carries (the node's game state, shared with the cluster), taken from the
// Create tab when the content shown is an item, dropped from the list. It reads the player on joining, after each of
// its own changes and after a reconnect, and follows the `inventory` topic's `inventory-changed` pushes between.
import { api } from './api.js';
import * as client from './client.js';
import { $, h, clear, shortId, toast } from './dom.js';
import { session } from './session.js';
import { player, on } from './state.js';

const CONTENT_ID = /^[0-9a-f]{64}$/;

/** @type {string[]} */
let items = [];
let maxItems = null;
/** Names of content ids met so far (an item id may be any id; a generated item's is its content id). */
const names = new Map();

export const inventory = {
  get items() { return [...items]; },
  take,
  drop,
};

export function initInventory() {
  on('joined', () => load());
  // Changes made while the connection was down were pushed to nobody.
  session.on('resumed', () => load());
  on('left', () => { items = []; maxItems = null; render(); });
  session.on('inventory-changed', (frame) => {
    if (frame.playerId !== player.name || !Array.isArray(frame.items)) return;
    items = frame.items.filter((i) => typeof i === 'string');
    render();
  });
  render();
}

/** Reads the player's inventory from the node (a player it never saw has none: 404). */
async function load() {
  const name = player.name;
  if (!name) return;
  try {
    const { data } = await api(`/api/players/${encodeURIComponent(name)}`);
    if (player.name !== name) return;
    items = data.inventory ?? [];
    maxItems = data.maxInventoryItems ?? null;
  } catch (e) {
    if (player.name !== name) return;
    // Only a player the node does not know has nothing; a failed read (a timeout, the node restarting) keeps the list.
    if (e?.status !== 404) {
      toast(`Could not read the inventory: ${e.describe?.() ?? e.message}`);
      return;
    }
    items = [];
  }
  render();
}

/** Takes a content (an item) into the inventory; its name is remembered for the list. */
async function take(content) {
  if (!player.name) return;
  names.set(content.id, content.name ?? content.id);
  try {
    await client.inventoryAdd(content.id);
    // The node applied it before answering: read it back (the push comes too, where the topic is served).
    await load();
    toast(`${content.name ?? shortId(content.id)} is in your inventory.`);
  } catch (e) {
    toast(e instanceof client.RequestError ? e.describe() : String(e.message ?? e));
  }
}

async function drop(itemId) {
  if (!player.name) return;
  try {
    await client.inventoryRemove(itemId);
    await load();
  } catch (e) {
    toast(e instanceof client.RequestError ? e.describe() : String(e.message ?? e));
  }
}

/** The name of a content id this node holds, read once; other ids are shown as they are. */
async function nameOf(id) {
  if (names.has(id)) return names.get(id);
  if (!CONTENT_ID.test(id)) return id;
  names.set(id, shortId(id));
  try {
    const { data } = await api(`/api/content/${id}`);
    names.set(id, data.name ?? data.title ?? shortId(id));
  } catch {
    // Not held by this node (or not content): the short id stays.
  }
  return names.get(id);
}

function render() {
  const list = $('inventory');
  if (!player.name) {
    clear(list, h('li', { class: 'muted' }, 'Join to carry items.'));
    $('inventory-count').textContent = '';
    return;
  }
  $('inventory-count').textContent = maxItems ? `${items.length} of ${maxItems} items` : `${items.length} items`;
  if (items.length === 0) {
    clear(list, h('li', { class: 'muted' }, 'Nothing yet: generate an item and press Take.'));
    return;
  }
  clear(list, items.map((id) => {
    const shown = names.get(id) ?? (CONTENT_ID.test(id) ? shortId(id) : id);
    const label = h('span', { class: 'grow', title: id }, shown);
    const button = h('button', { type: 'button', class: 'small', title: `Drop ${id}`, 'aria-label': `Drop ${shown}`, onclick: () => drop(id) }, 'Drop');
    if (!names.has(id)) nameOf(id).then((name) => { label.textContent = name; button.setAttribute('aria-label', `Drop ${name}`); });
    return h('li', { 'data-item': id }, label, button);
  }));
}
