// Entry point: tabs, joining, and the sections. Plain ES modules served by the node; nothing is fetched elsewhere.
import { api, PLAYER_ID } from './api.js';
import { $, toast } from './dom.js';
import { player, emit } from './state.js';
import { initCreate } from './create.js';
import { initCatalog } from './catalog.js';
import { initPanels } from './panels.js';

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
    emit('tab', tab.id.replace('tab-', ''));
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
  $('leave-button').addEventListener('click', () => {
    player.name = null;
    $('player-badge').hidden = true;
    $('join-form').hidden = false;
    emit('left');
    input.focus();
  });
}

function join(name) {
  player.name = name;
  localStorage.setItem('p2p.player', name);
  $('player-label').textContent = name;
  $('join-form').hidden = true;
  $('player-badge').hidden = false;
  emit('joined', name);
}

async function start() {
  initTabs();
  initJoin();
  initPanels();
  await initCreate();
  const { data: types } = await api('/api/types');
  await initCatalog(types.map((t) => t.type));
  document.body.dataset.ready = 'true';
}

start().catch((e) => toast(`The page could not start: ${e.message}`));
