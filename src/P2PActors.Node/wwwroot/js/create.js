// The Create tab: generate any content type with the parameters GET /api/types lists, show the node's PNG preview and
// the JSON, rate it with stars, share it through the validators' vote, and show preferences and recommendations.
import { api } from './api.js';
import * as client from './client.js';
import { $, h, clear, shortId, toast } from './dom.js';
import { player, on, emit } from './state.js';
import { inventory } from './inventory.js';

/** @type {{type: string, parameters: {name: string, description: string, range: string | null, allowed: string[] | null}[]}[]} */
let types = [];
/** @type {any} */
let current = null;
/** The stars the node holds for the content shown (0: none yet), and a choice waiting to be sent. */
let ratedStars = 0;
let rateTimer = 0;
/** The stars of a choice not yet answered by the node (0: none): a stored rating read meanwhile must not overwrite it. */
let chosenStars = 0;
/** The player's stars per content id, as the node last listed them: content opened again shows its rating. */
const heldStars = new Map();
/** Ratings this page made: a list of ratings asked for before the latest of them is older than heldStars. */
let ratingsMade = 0;
/** How long the stars rest before the choice is sent: the arrow keys walk through each star on the way. */
const RATE_SETTLE_MS = 600;

export async function initCreate() {
  const { data } = await api('/api/types');
  types = data;
  const options = $('type-options');
  clear(options, types.map((t, i) => h('label', {},
    h('input', { type: 'radio', name: 'type', value: t.type, checked: i === 0, 'data-testid': `type-${t.type}` }),
    h('span', {}, t.type))));
  options.addEventListener('change', renderParams);
  renderParams();
  renderStars();

  $('generate-form').addEventListener('submit', (event) => { event.preventDefault(); generate(); });
  $('share-button').addEventListener('click', share);
  $('take-button').addEventListener('click', () => { if (current) inventory.take(current); });
  $('share-ratings').addEventListener('change', setSharing);
  on('joined', () => {
    refreshProfile();
    updateEnabled();
    // Content opened before joining shows the stars this player gave it.
    if (current) showStoredRating(current.id);
  });
  on('left', () => {
    // What was shown for the player who left is not the next one's.
    clear($('preferences'), 'Join to see what the node learns from your ratings.');
    clear($('recommendations'), 'Join to get recommendations from similar players.');
    heldStars.clear();
    /** @type {HTMLInputElement} */ ($('share-ratings')).checked = false;
    // Nor is the content generated for them: shared now, it would go to the vote under nobody's name.
    current = null;
    $('result-body').hidden = true;
    $('result-empty').hidden = false;
    updateEnabled();
  });
  on('open-content', async (id) => {
    try {
      const { data } = await api(`/api/content/${id}`);
      show(data);
      emit('show-tab', 'create');
      // The button that opened it was in the panel now hidden: without this, focus fell to the page's top.
      $('result-name').focus();
    } catch (e) {
      toast(e.describe?.() ?? String(e));
    }
  });
  updateEnabled();
}

function selectedType() {
  const checked = /** @type {HTMLInputElement | null} */ (document.querySelector('#type-options input:checked'));
  return checked?.value ?? types[0]?.type;
}

function renderParams() {
  const type = types.find((t) => t.type === selectedType());
  clear($('param-fields'), (type?.parameters ?? []).map((p) => {
    let input;
    if (p.allowed) {
      input = h('select', { name: p.name, 'data-param': p.name },
        h('option', { value: '' }, 'any (drawn)'),
        p.allowed.map((value) => h('option', { value }, value)));
    } else {
      const [min, max] = (p.range ?? '').split('..').map(Number);
      input = h('input', { name: p.name, 'data-param': p.name, type: 'number', min, max, step: 1, placeholder: `${p.range ?? ''} (drawn)` });
    }
    return h('label', { class: 'field' }, h('span', {}, p.name), input, h('span', { class: 'hint' }, p.description));
  }));
}

function updateEnabled() {
  const joined = player.name !== null;
  /** @type {HTMLButtonElement} */ ($('generate-button')).disabled = !joined;
  /** @type {HTMLButtonElement} */ ($('generate-button')).textContent = joined ? 'Generate' : 'Join to generate';
  /** @type {HTMLInputElement} */ ($('share-ratings')).disabled = !joined;
  /** @type {HTMLButtonElement} */ ($('take-button')).disabled = !joined;
  if (!joined) /** @type {HTMLButtonElement} */ ($('share-button')).disabled = true;
}

async function generate() {
  const error = $('generate-error');
  error.hidden = true;
  if (!player.name) return;
  const type = selectedType();
  /** @type {Record<string, string | number>} */
  const params = {};
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('#param-fields [data-param]'))) {
    if (input.value === '') continue;
    params[input.name] = input.type === 'number' ? Number(input.value) : input.value;
  }
  const seedText = /** @type {HTMLInputElement} */ ($('seed')).value.trim();
  const seed = seedText === '' ? undefined : Number(seedText);
  // Past 2^53 − 1 a JavaScript number is no longer the seed typed; the node would refuse the rounded one anyway.
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) {
    error.textContent = `seed: '${seedText}' is not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}.`;
    error.hidden = false;
    return;
  }
  const button = /** @type {HTMLButtonElement} */ ($('generate-button'));
  button.disabled = true;
  try {
    const { content, cache } = await client.generate(type, params, seed);
    show(content, cache);
  } catch (e) {
    error.textContent = e instanceof client.RequestError ? e.describe() : String(e);
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

/** Shows one content: its preview from the node, its metadata and JSON; rating and sharing act on it. */
export function show(content, cache = null) {
  current = content;
  $('result-empty').hidden = true;
  $('result-body').hidden = false;
  $('result-type').textContent = content.type;
  $('result-name').textContent = content.name ?? content.title ?? content.npcName ?? content.type;
  const { blurb, facts } = describe(content);
  $('result-blurb').textContent = blurb;
  clear($('result-facts'), facts.map(([label, value]) => h('span', { class: 'fact' }, h('span', { class: 'muted' }, label), ` ${value}`)));
  $('result-id').textContent = `id ${content.id}`;
  $('result-id').title = content.id;
  $('result-cache').textContent = `seed ${content.seed}${cache ? ` · cache ${cache}` : ''}`;
  const img = /** @type {HTMLImageElement} */ ($('preview'));
  img.src = `/api/content/${content.id}/preview.png?size=256`;
  img.alt = `Preview of ${content.type} ${$('result-name').textContent}`;
  $('result-json').textContent = JSON.stringify(content, null, 2);
  $('vote').hidden = true;
  clearTimeout(rateTimer);
  chosenStars = 0;
  showHeldRating(content.id);
  // What was known may be old (rated on another device, or before this page joined): ask the node.
  if (player.name) showStoredRating(content.id);
  /** @type {HTMLButtonElement} */ ($('share-button')).disabled = false;
  $('take-button').hidden = content.type !== 'item';
  updateEnabled();
}

/** The few facts a player reads first, per type; the JSON below has everything. */
function describe(c) {
  const stats = (s) => (s ? ['hp', 'atk', 'def', 'spd', 'mp', 'int', 'lck'].filter((k) => s[k] > 0).map((k) => [k, s[k]]) : []);
  switch (c.type) {
    case 'character': return { blurb: c.backstory ?? '', facts: [['class', c.class], ['level', c.level], ...stats(c.stats)] };
    case 'item': return { blurb: c.description ?? '', facts: [['kind', c.kind], ['rarity', c.rarity], ['level', c.levelRequirement], ...stats(c.stats)] };
    case 'quest': return {
      blurb: c.description ?? '',
      facts: [['difficulty', c.difficulty], ['objectives', c.objectives?.length ?? 0], ['gold', c.rewards?.gold], ['xp', c.rewards?.xp], ['items', c.rewards?.items?.length ?? 0]],
    };
    case 'map': return { blurb: '', facts: [['size', `${c.width}×${c.height}`], ['generator', c.generator], ['spawns', c.spawns?.length ?? 0]] };
    case 'dialog': return { blurb: c.lines?.[0]?.text ?? '', facts: [['tone', c.tone], ['lines', c.lines?.length ?? 0]] };
    default: return { blurb: '', facts: [] };
  }
}

/** The stars the node holds for this content (none: empty), shown as the starting point of a new choice. */
function showHeldRating(id) {
  ratedStars = heldStars.get(id) ?? 0;
  setStars(ratedStars);
  $('rating-status').textContent = ratedStars ? `You rated it ${ratedStars}★` : '';
}

/** Reads the player's ratings and shows the stars of content `id`, unless it is no longer shown or was rated meanwhile. */
async function showStoredRating(id) {
  const made = ratingsMade;
  await loadRatings();
  if (current?.id === id && !chosenStars && ratingsMade === made) showHeldRating(id);
}

/** Reads the player's ratings into heldStars; answers the list (null when it could not be read). */
async function loadRatings() {
  try {
    const madeBefore = ratingsMade;
    const list = await client.ratings();
    if (list.playerId !== player.name) return null;
    // Read before a rating this page made since: heldStars already holds that one, and the list would undo it.
    if (ratingsMade !== madeBefore) return list;
    heldStars.clear();
    for (const r of list.ratings ?? []) heldStars.set(r.contentId, r.stars);
    return list;
  } catch {
    // The stars stay as they were; rating still works.
    return null;
  }
}

function renderStars() {
  const stars = $('stars');
  for (let n = 1; n <= 5; n++) {
    const input = h('input', { type: 'radio', name: 'stars', value: n, 'aria-label': `${n} star${n > 1 ? 's' : ''}` });
    input.addEventListener('change', () => chooseStars(n));
    stars.append(h('label', { 'data-star': n }, input, h('span', { 'aria-hidden': 'true' }, '★')));
  }
}

function setStars(n) {
  for (const label of document.querySelectorAll('#stars label')) {
    const value = Number(/** @type {HTMLElement} */ (label).dataset.star);
    label.classList.toggle('on', value <= n);
    /** @type {HTMLInputElement} */ (label.querySelector('input')).checked = value === n;
  }
}

/**
 * A choice of stars is sent once it has rested: walking from one star to four with the arrow keys sent three ratings
 * before, and the node learned the player's taste from each of them.
 */
function chooseStars(stars) {
  if (!current || !player.name) {
    setStars(ratedStars);
    toast('Join first to rate content.');
    return;
  }
  setStars(stars);
  chosenStars = stars;
  $('rating-status').textContent = `${stars}★…`;
  clearTimeout(rateTimer);
  const id = current.id;
  rateTimer = setTimeout(() => rate(id, stars), RATE_SETTLE_MS);
}

async function rate(id, stars) {
  if (!current || current.id !== id || !player.name) return;
  try {
    const data = await client.rate(id, stars);
    ratingsMade++;
    heldStars.set(id, stars);
    if (current?.id !== id) return;
    if (chosenStars === stars) chosenStars = 0;
    ratedStars = stars;
    $('rating-status').textContent = `${data.replaced ? 'Rating replaced' : 'Rated'} ${stars}★ · ${data.ratingCount} rating${data.ratingCount === 1 ? '' : 's'}` +
      (data.personalised ? ' · generation personalised' : '');
    refreshProfile();
  } catch (e) {
    // The stars go back to what the node holds: the ones chosen were not taken.
    if (current?.id !== id) return;
    if (chosenStars !== stars) return;
    chosenStars = 0;
    setStars(ratedStars);
    $('rating-status').textContent = e instanceof client.RequestError ? e.describe() : String(e);
  }
}

async function share() {
  if (!player.name) return;
  if (!current) return;
  // The content shown may change while the vote runs: the outcome belongs to this one.
  const contentId = current.id;
  const vote = $('vote');
  const button = /** @type {HTMLButtonElement} */ ($('share-button'));
  button.disabled = true;
  vote.hidden = false;
  vote.className = 'vote pending';
  clear(vote, 'Put to the validators’ vote…');
  try {
    const data = await client.share(contentId);
    const c = data.certificate;
    vote.className = 'vote accepted';
    vote.dataset.decision = 'accepted';
    clear(vote,
      h('strong', {}, `Accepted: ${c.approvals} of ${c.validators} ${c.validators === 1 ? 'validator' : 'validators'} approved`),
      ` (threshold ${c.threshold}, ${c.elapsedMs.toFixed(1)} ms, epoch ${c.epoch})`,
      h('ul', { class: 'signers' }, c.signers.map((s) => h('li', { class: 'mono', title: s }, `signed by ${shortId(s)}`))));
    emit('shared', data);
  } catch (e) {
    const p = e instanceof client.RequestError ? e.problem : {};
    if (p.decision === 'rejected') {
      vote.className = 'vote rejected';
      vote.dataset.decision = 'rejected';
      clear(vote, h('strong', {}, `Rejected by ${p.rejections} of ${p.validators} validators`),
        h('ul', { class: 'rules' }, (p.rules ?? []).map((r) => h('li', { class: 'mono' }, r))));
    } else if (p.decision === 'undecided') {
      vote.className = 'vote undecided';
      vote.dataset.decision = 'undecided';
      clear(vote, h('strong', {}, 'Undecided'), ` — ${p.approvals} of ${p.threshold} ${p.threshold === 1 ? 'approval' : 'approvals'} needed before the timeout. Nothing was shared; try again.`);
      button.disabled = false;
    } else if (p.code === 'already-shared' || (p.status === 409 && p.author)) {
      // Shared before (by this player or another): the catalog lists it under its first author, nothing was voted on.
      vote.className = 'vote accepted';
      vote.dataset.decision = 'already-shared';
      clear(vote, h('strong', {}, 'Already in the catalog'), ` — shared by ${p.author}.`);
    } else {
      // Not a verdict (a timeout, a rate limit, a dropped connection): nothing was decided, so it is not shown as one.
      vote.className = 'vote failed';
      vote.dataset.decision = 'error';
      clear(vote, h('strong', {}, 'Not shared'), ` — ${e instanceof client.RequestError ? e.describe() : String(e.message ?? e)} Try again.`);
      button.disabled = false;
    }
    // The consensus log lists votes; an entry already listed or a request that failed was not voted on here.
    if (p.decision === 'rejected' || p.decision === 'undecided') emit('vote', { contentId, decision: p.decision, rules: p.rules ?? [] });
  }
}

export async function refreshProfile() {
  if (!player.name) return;
  try {
    const [prefs, recs, ratings] = await Promise.all([client.preferences(), client.recommendations(6), loadRatings()]);
    if (ratings) /** @type {HTMLInputElement} */ ($('share-ratings')).checked = !!ratings.sharing;
    if (!prefs.hasProfile) {
      clear($('preferences'), h('p', {}, prefs.message));
    } else {
      clear($('preferences'), h('div', { class: 'chips' }, prefs.attributes.slice(0, 12).map((a) =>
        h('span', { class: `chip ${a.weight > 0.05 ? 'pos' : a.weight < -0.05 ? 'neg' : ''}`, title: `weight ${a.weight.toFixed(2)} · ${a.ratings} ratings · generator ×${a.generatorWeight.toFixed(2)}` },
          `${a.key} ${a.weight > 0 ? '+' : ''}${a.weight.toFixed(2)}`))));
    }
    if (recs.items.length === 0) {
      clear($('recommendations'), h('p', {}, `Nothing yet: ${recs.sharedProfiles} shared profile(s), ${recs.similarPlayers} similar player(s). Rate more and share your ratings.`));
    } else {
      clear($('recommendations'), h('ul', { class: 'plain-list' }, recs.items.map((r) =>
        // Each one this node can serve opens, under its name; one liked elsewhere and never shared cannot be opened here.
        h('li', {}, h('span', { class: 'badge' }, r.type),
          r.available
            ? h('button', { type: 'button', class: 'link grow', title: `Open ${r.contentId}`, 'data-content': r.contentId, onclick: () => emit('open-content', r.contentId) },
              r.name ?? shortId(r.contentId))
            : h('span', { class: 'grow muted mono', 'data-content': r.contentId, title: `${r.contentId}: not in the catalog, and only the node that made it holds it` },
              `${shortId(r.contentId)} (not shared)`),
          h('span', {}, `${r.score.toFixed(2)}★`)))));
    }
  } catch (e) {
    clear($('preferences'), e instanceof client.RequestError ? e.describe() : String(e));
  }
}

async function setSharing() {
  if (!player.name) return;
  const share = /** @type {HTMLInputElement} */ ($('share-ratings')).checked;
  try {
    await client.setSharing(share);
    toast(share ? 'Your ratings are shared with the cluster.' : 'Your ratings are private again.');
    refreshProfile();
  } catch (e) {
    // Not taken: the box goes back to what the node holds.
    /** @type {HTMLInputElement} */ ($('share-ratings')).checked = !share;
    toast(e instanceof client.RequestError ? e.describe() : String(e));
  }
}
