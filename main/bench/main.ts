/**
 * Benchmark dispatcher: `npm run bench -- <name> [args]` runs main/bench/<name>.ts's main(args).
 * Registry of name → module loader; add one entry per benchmark.
 */
type BenchMain = (argv: string[]) => Promise<void>;

const BENCHES: Record<string, () => Promise<{ main: BenchMain }>> = {
  fusion: () => import('./fusion.js'),
  gen: () => import('./gen.js'),
  inference: () => import('./inference.js'),
  peer: () => import('./peer.js'),
  pipeline: () => import('./pipeline.js'),
  render: () => import('./render.js'),
  sources: () => import('./sources.js'),
  store: () => import('./store.js'),
};

const [name, ...rest] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  process.stderr.write(`usage: npm run bench -- <name> [args]\nbenchmarks: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exitCode = name ? 1 : 0;
} else {
  const mod = await load();
  await mod.main(rest);
}
