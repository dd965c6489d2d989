/**
 * The usage line `twist` prints with every usage error.
 *
 * @module
 */

/** The usage line printed with every usage error. */
export const USAGE: string =
  "Usage: twist [options] <plugin> [plugin options]\n" +
  "       twist [options] --app <module>\n" +
  "       twist [options] [--config <file>]";
