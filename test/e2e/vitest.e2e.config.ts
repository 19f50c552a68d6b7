import { defineConfig } from 'vitest/config';

/** End-to-end tests (Playwright + Chromium against `semslam serve`), run as their own step of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
