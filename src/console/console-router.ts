import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** Where the console's static files live (next to this module, in src/ and when copied to dist/). */
export const CONSOLE_ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

/**
 * Strict policy for the console pages: scripts and styles only from files of this origin (no
 * inline code at all), data only from this origin's API, no framing, no forms posting elsewhere.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The operator web console at /console: static HTML, CSS and ES modules, no build step. It talks to
 * /ops/v1 with the operator's bearer token (kept in sessionStorage, so it goes with the tab).
 */
export function createConsoleRouter(): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-cache');
    next();
  });
  router.use(express.static(CONSOLE_ASSETS, { index: 'index.html', redirect: true, dotfiles: 'deny', fallthrough: true }));
  return router;
}
