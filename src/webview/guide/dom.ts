// DOM helpers of the Incident panel's webview. Every string is set with textContent, control
// characters made visible, so markup or escape sequences in host text show as characters.

/** Characters no terminal or page should act on: C0/C1 controls (ESC, BEL…) but tab and newline. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function visible(text: string): string {
  return text.replace(CONTROL, (c) => (c === '\u001b' ? '␛' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = visible(text);
  return node;
}

export function button(label: string, action: () => void, className = 'button', icon?: string): HTMLButtonElement {
  const b = el('button', className);
  if (icon) b.appendChild(el('span', `codicon codicon-${icon}`)).setAttribute('aria-hidden', 'true');
  b.appendChild(document.createTextNode(label));
  b.addEventListener('click', action);
  return b;
}
