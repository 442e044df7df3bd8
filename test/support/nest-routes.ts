/**
 * Every route the Nest router serves, read from the controllers' metadata: the source
 * for tests that must cover all routes (OpenAPI coverage now, the authorization matrix
 * later), so that a new route cannot slip past them.
 */
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IS_PUBLIC, REQUIRED_PERMISSION } from '../../src/common/authz/authorize.decorator';
import type { Permission } from '../../src/common/authz/permissions';
import { API_PREFIX } from '../../src/server';

export interface ServedRoute {
  method: string;
  /** As OpenAPI writes it: /api/v1/cases/{id} */
  path: string;
  controller: string;
  handler: string;
  /** What the route's decorators declare: @Public, @Authorize(permission), or nothing. */
  access: 'public' | Permission | undefined;
}

function declaredAccess(controller: object, handler: object): ServedRoute['access'] {
  const read = <T>(key: string): T | undefined =>
    (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined);
  if (read<boolean>(IS_PUBLIC) === true) return 'public';
  return read<Permission>(REQUIRED_PERMISSION);
}

const join = (...parts: string[]): string =>
  '/' +
  parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .join('/');

export function servedRoutes(app: NestFastifyApplication): ServedRoute[] {
  const routes: ServedRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined) ?? '';
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        const fn = (controller.prototype as Record<string, unknown>)[handler];
        if (handler === 'constructor' || typeof fn !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
        if (method === undefined) continue;
        const sub = (Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined) ?? '';
        for (const b of [base].flat()) {
          for (const s of [sub].flat()) {
            routes.push({
              method: RequestMethod[method].toLowerCase(),
              path: join(API_PREFIX, b, s).replace(/:(\w+)/g, '{$1}'),
              controller: controller.name,
              handler,
              access: declaredAccess(controller, fn),
            });
          }
        }
      }
    }
  }
  return routes;
}
