// Selecting parameters by name pattern, as a LocFT/EasyEdit config does:
//
//   rewrite_module: "model.layers.{}.mlp.down_proj.weight", layers: [21]   -> that one matrix
//   rewrite_module: "model.layers.{}",                      layers: [2, 3]  -> every tensor of layers 2 and 3
//
// EasyEdit selects with a substring test (`pattern.format(layer) in name`), under which "model.layers.2" also
// matches "model.layers.20.*" .. "model.layers.29.*". Here a pattern matches a name only at dotted-component
// boundaries: the name equals the expanded pattern, or starts with it followed by ".". So layer 2 never selects 20-29.

export interface ParameterSelection {
  /** One or more patterns; "{}" (at most once per pattern) stands for the layer index. */
  readonly pattern: string | readonly string[];
  /** Layer indices substituted for "{}". Required when a pattern has "{}", forbidden otherwise. */
  readonly layers?: number | readonly number[];
}

export class ParameterSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterSelectionError';
  }
}

/** True when `name` is `prefix` itself or lies under it (next character is a "."). */
export function matchesPrefix(name: string, prefix: string): boolean {
  return name === prefix || (name.startsWith(prefix) && name.charCodeAt(prefix.length) === 0x2e); /* . */
}

/**
 * Expands a selection into concrete name prefixes, checking layers against `numLayers`.
 * Returns them in pattern order, then layer order.
 */
export function expandPatterns(selection: ParameterSelection, numLayers: number): string[] {
  const patterns = typeof selection.pattern === 'string' ? [selection.pattern] : [...selection.pattern];
  if (patterns.length === 0) throw new ParameterSelectionError('pattern: at least one pattern is required');
  const layers =
    selection.layers === undefined
      ? []
      : typeof selection.layers === 'number'
        ? [selection.layers]
        : [...selection.layers];
  for (const layer of layers) {
    if (!Number.isInteger(layer)) throw new ParameterSelectionError(`layers: ${layer} is not an integer layer index`);
    if (layer < 0 || layer >= numLayers) {
      throw new ParameterSelectionError(
        `layers: layer ${layer} is out of range; the model has ${numLayers} layers (0-${numLayers - 1})`,
      );
    }
  }
  const uniqueLayers = [...new Set(layers)];
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    validatePattern(pattern);
    const placeholders = pattern.split('{}').length - 1;
    if (placeholders === 0) {
      prefixes.push(pattern);
      continue;
    }
    if (uniqueLayers.length === 0) {
      throw new ParameterSelectionError(`layers: pattern "${pattern}" has a "{}" placeholder but no layers were given`);
    }
    for (const layer of uniqueLayers) prefixes.push(pattern.replace('{}', String(layer)));
  }
  if (layers.length > 0 && patterns.every((p) => !p.includes('{}'))) {
    throw new ParameterSelectionError(
      `layers: given, but no pattern has a "{}" placeholder (${patterns.map((p) => `"${p}"`).join(', ')})`,
    );
  }
  return [...new Set(prefixes)];
}

function validatePattern(pattern: string): void {
  if (pattern.length === 0) throw new ParameterSelectionError('pattern: must not be empty');
  if (pattern.split('{}').length > 2)
    throw new ParameterSelectionError(`pattern: "${pattern}" has more than one "{}" placeholder`);
  const parts = pattern.split('.');
  if (parts.some((p) => p.length === 0)) {
    throw new ParameterSelectionError(`pattern: "${pattern}" has an empty component (leading, trailing or double ".")`);
  }
  if (parts.some((p) => p.includes('{}') && p !== '{}')) {
    throw new ParameterSelectionError(
      `pattern: "${pattern}": "{}" must be a whole dotted component, e.g. "model.layers.{}.mlp"`,
    );
  }
  if (/[*?{}[\]]/.test(pattern.replace('{}', ''))) {
    throw new ParameterSelectionError(
      `pattern: "${pattern}" contains a wildcard or brace; only "{}" (the layer index) is supported`,
    );
  }
}

/**
 * Names from `names` selected by `selection`, in the order of `names`. Every expanded pattern must select at least
 * one name (a typo or a wrong architecture is an error, not an empty training run).
 */
export function selectParameters(names: Iterable<string>, selection: ParameterSelection, numLayers: number): string[] {
  const all = [...names];
  const prefixes = expandPatterns(selection, numLayers);
  const selected = new Set<string>();
  for (const prefix of prefixes) {
    const hits = all.filter((n) => matchesPrefix(n, prefix));
    if (hits.length === 0) {
      const near = all.filter((n) => n.startsWith(prefix) || prefix.startsWith(n)).slice(0, 3);
      const hint = near.length ? `; similar names: ${near.join(', ')}` : '';
      throw new ParameterSelectionError(`pattern: "${prefix}" matches no parameter${hint}`);
    }
    for (const h of hits) selected.add(h);
  }
  return all.filter((n) => selected.has(n));
}

/** Parses a layer list as written on a command line: "5", "1,2,7", "0-3" or "0-3,8". */
export function parseLayerList(spec: string, field = 'layers'): number[] {
  const out: number[] = [];
  for (const part of spec.split(',').map((s) => s.trim())) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) throw new ParameterSelectionError(`${field}: range "${part}" runs backwards`);
      for (let l = from; l <= to; l++) out.push(l);
    } else if (/^\d+$/.test(part)) {
      out.push(Number(part));
    } else {
      throw new ParameterSelectionError(
        `${field}: "${part}" is not a layer index or range (expected e.g. "5", "1,2", "0-3")`,
      );
    }
  }
  return out;
}
