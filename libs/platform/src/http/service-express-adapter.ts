import { StreamableFile, type NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { PreMatchedRoutes, type DispatchingApp } from './pre-matched-routes.js';

type Reply = ServerResponse & { req: ServerResponse['req'] | undefined };

/**
 * Nest's Express adapter, answering the common case itself: a JSON object for a request that
 * is neither GET nor HEAD (no freshness check applies), with no `Content-Type` chosen yet. Express's
 * `res.json` → `res.send` gets there through a content-type parse, several header reads and a
 * freshness check; the bytes and headers sent are the same. And requests for a route with a
 * fixed path skip the router's matching ({@link PreMatchedRoutes}). Everything else is Express's.
 */
export class ServiceExpressAdapter extends ExpressAdapter {
  private plainJson: boolean | undefined;

  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    const server = this.getHttpServer() as Server;
    const app = this.getInstance<
      DispatchingApp & ((req: IncomingMessage, res: ServerResponse) => void)
    >();
    const routes = new PreMatchedRoutes(app);
    server.removeListener('request', app);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!routes.handle(req, res)) app(req, res);
    });
  }

  override reply(response: unknown, body: unknown, statusCode?: number): unknown {
    const res = response as Reply;
    if (!this.repliesItself(res, body, statusCode)) return super.reply(response, body, statusCode);
    if (statusCode !== undefined) res.statusCode = statusCode;
    const json = JSON.stringify(body);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(json));
    res.end(json);
    return res;
  }

  private repliesItself(res: Reply, body: unknown, statusCode: number | undefined): boolean {
    if (body === null || typeof body !== 'object') return false;
    if (body instanceof Error || body instanceof StreamableFile) return false;
    const method = res.req?.method;
    if (method === undefined || method === 'GET' || method === 'HEAD') return false;
    const status = statusCode ?? res.statusCode;
    if (status === 204 || status === 205 || status === 304) return false;
    if (res.hasHeader('Content-Type') || res.hasHeader('Transfer-Encoding')) return false;
    // JSON settings would change the bytes: none are set by the service, checked once.
    this.plainJson ??= ['json replacer', 'json spaces', 'json escape'].every(
      (setting) => !this.getInstance<{ get(name: string): unknown }>().get(setting),
    );
    return this.plainJson;
  }
}
