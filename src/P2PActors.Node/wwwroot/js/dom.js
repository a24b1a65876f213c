// Small DOM helpers: build elements without innerHTML so nothing from the network is ever parsed as markup.

/** h('li', { class: 'x', onclick }, 'text', child) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(key, '');
    else element.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

export function clear(element, ...children) {
  element.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

export function shortId(id) {
  return typeof id === 'string' && id.length > 12 ? `${id.slice(0, 8)}…${id.slice(-4)}` : String(id ?? '');
}

export function timeOf(date = new Date()) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** Messages shown at once; an older one goes when another would pass this. */
const TOASTS_SHOWN = 4;

/**
 * Shows a message for a time that grows with its length (3.5 to 10 s), below the ones still shown, newest first, each
 * with a button that dismisses it. One toast for everything lost messages: a second message replaced the first,
 * often an error before anyone could read it. The same message again, while shown, is shown once with a new time.
 */
export function toast(message) {
  const box = $('toast');
  const text = String(message);
  [...box.children].find((c) => /** @type {HTMLElement} */ (c).dataset.text === text)?.remove();
  const item = h('div', { class: 'toast-item', dataset: { text } }, h('span', {}, text));
  const dismiss = () => {
    clearTimeout(timer);
    item.remove();
    if (box.children.length === 0) box.hidden = true;
  };
  item.append(h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: dismiss }, '×'));
  box.prepend(item);
  while (box.children.length > TOASTS_SHOWN) box.lastElementChild?.remove();
  box.hidden = false;
  const timer = setTimeout(dismiss, Math.min(10000, 3500 + text.length * 35));
}
