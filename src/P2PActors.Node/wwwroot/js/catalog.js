// The Catalog tab: the shared catalog by type with paging; any entry's certificate opens in a dialog.
import * as client from './client.js';
import { $, h, clear, shortId, toast } from './dom.js';
import { on, emit } from './state.js';

const PAGE = 10;
let skip = 0;
let total = 0;
/** Each load is numbered: only the newest one's answer is shown (a push's reload may finish after a Next click). */
let loads = 0;

export async function initCatalog(typeNames) {
  const select = /** @type {HTMLSelectElement} */ ($('catalog-type'));
  for (const type of typeNames) select.append(h('option', { value: type }, type));
  select.addEventListener('change', () => { skip = 0; load(); });
  $('catalog-prev').addEventListener('click', () => { skip = Math.max(0, skip - PAGE); load(); });
  $('catalog-next').addEventListener('click', () => { if (skip + PAGE < total) { skip += PAGE; load(); } });
  on('shared', () => load());
  on('catalog-changed', () => load());
  await load();
}

export async function load() {
  const type = /** @type {HTMLSelectElement} */ ($('catalog-type')).value;
  const mine = ++loads;
  const from = skip;
  try {
    const data = await client.catalog(type, from, PAGE);
    if (mine !== loads) return;
    total = data.total;
    if (skip > 0 && skip >= total) {
      skip = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
      return load();
    }
    render(data.entries);
    emit('catalog', data);
  } catch (e) {
    if (mine === loads) toast(e instanceof client.RequestError ? e.describe() : String(e));
  }
}

function render(entries) {
  $('catalog-empty').hidden = entries.length > 0;
  $('catalog-range').textContent = total === 0 ? '' : `${skip + 1}–${skip + entries.length} of ${total}`;
  /** @type {HTMLButtonElement} */ ($('catalog-prev')).disabled = skip === 0;
  /** @type {HTMLButtonElement} */ ($('catalog-next')).disabled = skip + PAGE >= total;
  clear($('catalog-rows'), entries.map((e) => h('tr', { 'data-id': e.id },
    h('td', {}, h('img', { src: `/api/content/${e.id}/preview.png?size=64`, alt: '', loading: 'lazy' })),
    h('td', {}, h('button', { type: 'button', class: 'link', title: 'Open: preview, JSON and rating', onclick: () => emit('open-content', e.id) }, e.name),
      h('div', { class: 'small mono muted', title: e.id }, shortId(e.id))),
    h('td', {}, h('span', { class: 'badge' }, e.type)),
    h('td', {}, e.author),
    h('td', { class: 'small' }, new Date(e.createdMs).toLocaleString()),
    h('td', {}, e.certificate ? `${e.certificate.approvals.length} signed` : '—'),
    h('td', { class: 'row-actions' },
      // Named after their row: a screen reader lists every row's buttons by name, and "Certificate" fifty times says nothing.
      e.type === 'map' ? h('button', { type: 'button', 'aria-label': `Enter zone ${e.name}`, onclick: () => emit('enter-zone', e.id) }, 'Enter zone') : null,
      h('button', { type: 'button', 'aria-label': `Certificate of ${e.name}`, onclick: () => openCertificate(e) }, 'Certificate')))));
}

export function openCertificate(entry) {
  const c = entry.certificate;
  clear($('cert-title'), `Certificate · ${entry.name}`);
  clear($('cert-body'),
    h('dl', {},
      h('dt', {}, 'Content'), h('dd', { class: 'mono' }, entry.id),
      h('dt', {}, 'Type'), h('dd', {}, entry.type),
      h('dt', {}, 'Author'), h('dd', {}, entry.author),
      h('dt', {}, 'Held by'), h('dd', { class: 'mono' }, entry.holder ?? '—'),
      h('dt', {}, 'Epoch'), h('dd', {}, c ? String(c.epoch) : '—'),
      h('dt', {}, 'Validator set'), h('dd', { class: 'mono' }, c?.validatorSetHash ?? '—')),
    h('h3', { class: 'small' }, `${c?.approvals.length ?? 0} approving signed votes`),
    h('ol', { class: 'plain-list' }, (c?.approvals ?? []).map((v) => h('li', {},
      h('span', { class: 'badge accepted' }, v.approve ? 'approve' : 'reject'),
      h('div', { class: 'grow' }, h('div', { class: 'mono small' }, v.validatorId), h('div', { class: 'sig mono' }, v.signature))))));
  /** @type {HTMLDialogElement} */ ($('cert-dialog')).showModal();
}
