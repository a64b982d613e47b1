/**
 * `target` with some of its methods replaced. A Proxy rather than a wrapper class: the store
 * keeps its class (what the wiring and its specs check) and its Nest lifecycle hooks (the
 * PostgreSQL history flushes its buffer in one), and every other member passes through bound to
 * the store itself (private fields work).
 */
export function withMethods<T extends object>(target: T, methods: Partial<T>): T {
  return new Proxy(target, {
    get(store, property) {
      if (Object.prototype.hasOwnProperty.call(methods, property)) {
        return methods[property as keyof T];
      }
      const value: unknown = Reflect.get(store, property, store);
      return typeof value === 'function' ? (value as () => unknown).bind(store) : value;
    },
  });
}
