import { type INestApplication, MethodNotAllowedException } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What the middleware needs of a layer of Express's router (router 2.x, Express 5). */
interface RouteLayer {
  match(path: string): boolean;
  route?: { _methods(): string[]; _handlesMethod(method: string): boolean };
}

/** The methods the app's routes answer on `path` (HEAD included where GET is), or none when no route matches. */
export function allowedMethods(layers: readonly RouteLayer[], path: string): string[] {
  const methods = new Set<string>();
  for (const layer of layers) {
    if (layer.route && layer.match(path))
      for (const method of layer.route._methods()) methods.add(method.toUpperCase());
  }
  return [...methods].sort();
}

/**
 * Answers a method no route declares on an existing path with 405 and `Allow` (RFC 9110), and OPTIONS with
 * 204 and `Allow`, instead of Express's 404. Reads the app's own routes, so it stays exact as routes change.
 */
export function methodNotAllowed(routes: () => readonly RouteLayer[]): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const layers = routes();
    const method = request.method.toLowerCase();
    if (layers.some((layer) => layer.route?._handlesMethod(method) && layer.match(request.path))) return next();
    const allowed = allowedMethods(layers, request.path);
    if (!allowed.length) return next();
    const allow = [...allowed, 'OPTIONS'].join(', ');
    response.setHeader('Allow', allow);
    if (method === 'options') {
      response.status(204).end();
      return;
    }
    // Through Nest's error handler, so the body is the platform's error shape.
    next(new MethodNotAllowedException(`${request.method} is not allowed here; allowed: ${allow}`));
  };
}

/** Installs methodNotAllowed in front of the app's routes; call before the app is initialised. */
export function answerUndeclaredMethods(app: INestApplication): void {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } };
  app.use(methodNotAllowed(() => express.router.stack));
}
