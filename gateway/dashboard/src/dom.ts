/** Attributes and event handlers of an element built by {@link el}. */
export type Props = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;
export type Child = Node | string | number | null | undefined | false;

/**
 * Builds an element: `on*` props become listeners, `false`/`undefined` props are left out, `true`
 * ones are set empty (boolean attributes). Text children are text nodes, never parsed as HTML, so
 * data from the API cannot inject markup.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces what `parent` shows, keeping focus on an element with the same id if it had it. */
export function replaceChildren(parent: Element, ...children: (Child | Child[])[]): void {
  const focused = document.activeElement?.id;
  parent.replaceChildren(
    ...children
      .flat()
      .filter(
        (child): child is Node | string | number => child !== null && child !== undefined && child !== false,
      )
      .map((child) => (child instanceof Node ? child : String(child))),
  );
  if (focused) document.getElementById(focused)?.focus();
}
