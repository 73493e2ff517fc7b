// @floe/catalog: public entry point. Curated exports only; internals stay under src/internal.
export {};
