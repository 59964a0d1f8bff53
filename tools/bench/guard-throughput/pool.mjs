#!/usr/bin/env node
// Pools the JSON reports of several run.mjs runs (same code, same options) into one estimate per endpoint:
// the ratio of the median requests/s over every round of every pair, the median and mean of the pairs' own
// ratios, and a 95 % bootstrap interval of that mean (pairs resampled 10 000 times, fixed seed).
//
//   node tools/bench/guard-throughput/run.mjs --pairs 6 --rounds 4 --seconds 2 --connections 16 > a.json
//   node tools/bench/guard-throughput/pool.mjs a.json b.json …
//
// Why: between fresh server processes running the same code, one pair's ratio ranges from 0.69 to 1.14
// (A/A runs included, docs/benchmarks.md "Results, session 7"), so the pair, not the round, is the unit of
// noise, and a 6-pair run's ratio moves by ±0.05 from one run to the next.
import fs from 'node:fs';
// run.mjs's median (the upper one of an even count), so one report pooled alone reads as run.mjs printed it.
import { median } from './bench-server.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: pool.mjs <run.mjs report.json> …');
  process.exit(2);
}

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const round3 = (value) => Math.round(value * 1000) / 1000;

/** A small deterministic generator (mulberry32), so the same reports always give the same interval. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bootstrapMean(values, draws = 10_000) {
  const next = random(7);
  const means = Array.from({ length: draws }, () => mean(values.map(() => values[Math.floor(next() * values.length)])));
  means.sort((a, b) => a - b);
  return [means[Math.floor(draws * 0.025)], means[Math.floor(draws * 0.975)]];
}

const byEndpoint = new Map();
const runs = [];
for (const file of files) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  runs.push({ file, variant: report.variant, pairs: report.pairs, started: report.time?.started });
  for (const endpoint of report.endpoints) {
    const pooled = byEndpoint.get(endpoint.endpoint) ?? {
      guarded: [],
      unguarded: [],
      pairRatios: [],
      guardedMain: [],
      unguardedMain: [],
    };
    pooled.guarded.push(...endpoint.rounds_rps.guarded);
    pooled.unguarded.push(...endpoint.rounds_rps.unguarded);
    pooled.pairRatios.push(...endpoint.pair_ratios);
    pooled.guardedMain.push(...endpoint.rounds_main_thread_cpu_us_per_request.guarded);
    pooled.unguardedMain.push(...endpoint.rounds_main_thread_cpu_us_per_request.unguarded);
    byEndpoint.set(endpoint.endpoint, pooled);
  }
}

const endpoints = [...byEndpoint].map(([endpoint, pooled]) => {
  const [low, high] = bootstrapMean(pooled.pairRatios);
  return {
    endpoint,
    pairs: pooled.pairRatios.length,
    rounds: pooled.guarded.length,
    unguarded_rps: median(pooled.unguarded),
    guarded_rps: median(pooled.guarded),
    ratio_of_medians: round3(median(pooled.guarded) / median(pooled.unguarded)),
    median_pair_ratio: round3(median(pooled.pairRatios)),
    mean_pair_ratio: round3(mean(pooled.pairRatios)),
    mean_pair_ratio_95: [round3(low), round3(high)],
    pair_ratio_range: [Math.min(...pooled.pairRatios), Math.max(...pooled.pairRatios)],
    main_thread_cpu_us_per_request: { unguarded: median(pooled.unguardedMain), guarded: median(pooled.guardedMain) },
  };
});
console.log(JSON.stringify({ runs, endpoints }, null, 2));
