/**
 * The types of the `twist` plugin contract this package's plugins are checked against.
 *
 * Types only: nothing from `@torsion/application` is imported at run time, so library users
 * who never run `twist` do not need it installed (it is an optional peer dependency).
 *
 * @module
 */
export type {
  IService,
  IServiceCollection,
  PluginOption,
  PluginOptions,
  ServiceMaker,
  ServiceMakerHelpers,
} from "@torsion/application";
