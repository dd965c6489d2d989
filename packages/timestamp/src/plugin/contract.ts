/**
 * The types of the `twist` plugin contract this package's plugins are checked against.
 *
 * TEMPORARY local copy, structurally equal to the contract in
 * /work/notes/plugin-contract.md, until `@torsion/application` exports these names; then this
 * file becomes `export type { IService, PluginOptions, ServiceMaker } from "@torsion/application"`.
 * Types only either way: nothing is imported at run time.
 *
 * @module
 */
import type { Deferred, IProtocolFactory, IReactor, Logger } from "@torsion/core";

export interface IServiceCollection {
  addService(service: IService): Deferred<void> | void;
}
export interface IService {
  name: string | null;
  readonly running: boolean;
  readonly parent: IServiceCollection | null;
  setName(name: string): void;
  setServiceParent(parent: IServiceCollection): void;
  disownServiceParent(): Deferred<void> | void;
  privilegedStartService(): void;
  startService(): Deferred<void> | void;
  stopService(): Deferred<void> | void;
}
export interface PluginOption {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  default?: string | boolean | string[] | boolean[];
  description: string;
}
export type PluginOptions = Record<string, PluginOption>;
type Value<O extends PluginOption> = O["type"] extends "boolean"
  ? O["multiple"] extends true
    ? boolean[]
    : boolean
  : O["multiple"] extends true
    ? string[]
    : O extends { default: string }
      ? string
      : string | undefined;
export type ParsedOptions<O extends PluginOptions> = { [K in keyof O]: Value<O[K]> };
export interface ServiceMakerHelpers {
  reactor: IReactor;
  listen(description: string, factory: IProtocolFactory): IService;
  logger: Logger;
}
export interface ServiceMaker<O extends PluginOptions = PluginOptions> {
  name: string;
  description: string;
  options: O;
  makeService(
    options: ParsedOptions<O>,
    helpers: ServiceMakerHelpers,
  ): IService | Promise<IService>;
}
