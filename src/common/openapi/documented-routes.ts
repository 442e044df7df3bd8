/**
 * The routes the OpenAPI document describes, read from the controllers' metadata: for
 * each operation (keyed by Nest's operationId, `<Controller>_<handler>`) the handler and
 * the classes of its body, query and path parameters. The document's enrichment reads
 * what the guards and the validation pipe read, from here, so that what it declares is
 * what they enforce. Modules passed as `excluded` (the tests' probe routes) are not part
 * of the API and stay out.
 */
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';

export type DtoClass = Type<unknown>;

export interface DocumentedRoute {
  /** Nest swagger's default operationId: `<Controller>_<handler>`. */
  readonly operationId: string;
  readonly controller: DtoClass;
  readonly handler: (...args: never[]) => unknown;
  readonly method: string;
  readonly body: DtoClass | undefined;
  readonly query: DtoClass | undefined;
  readonly params: DtoClass | undefined;
}

interface RouteArgument {
  index: number;
  data?: unknown;
}

/** The controllers of every module but the excluded ones. */
export function documentedModules(app: INestApplication, excluded: readonly Type[]): Type[] {
  return [...app.get(ModulesContainer).values()]
    .map((module) => module.metatype as Type)
    .filter((metatype) => !excluded.includes(metatype));
}

export function documentedRoutes(app: INestApplication, excluded: readonly Type[]): Map<string, DocumentedRoute> {
  const routes = new Map<string, DocumentedRoute>();
  for (const module of app.get(ModulesContainer).values()) {
    if (excluded.includes(module.metatype as Type)) continue;
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as DtoClass | null;
      if (!controller || Reflect.getMetadata(PATH_METADATA, controller) === undefined) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const argumentClass = wholeArgument(controller, name);
        routes.set(`${controller.name}_${name}`, {
          operationId: `${controller.name}_${name}`,
          controller,
          handler: handler as DocumentedRoute['handler'],
          method: RequestMethod[method].toLowerCase(),
          body: argumentClass(RouteParamtypes.BODY),
          query: argumentClass(RouteParamtypes.QUERY),
          params: argumentClass(RouteParamtypes.PARAM),
        });
      }
    }
  }
  return routes;
}

/** The DTO class of a whole `@Body()`, `@Query()` or `@Param()` argument of a handler. */
function wholeArgument(controller: DtoClass, handler: string): (kind: RouteParamtypes) => DtoClass | undefined {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, RouteArgument>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler) ?? []) as unknown[];
  return (kind) => {
    const entry = Object.entries(args).find(([key, arg]) => key.split(':')[0] === String(kind) && arg.data === undefined);
    const type = entry === undefined ? undefined : types[entry[1].index];
    return typeof type === 'function' && type !== Object ? (type as DtoClass) : undefined;
  };
}
