/**
 * Vitest setup file (see vitest.shared.ts): makes `@torsion/native` findable by core, so the tests
 * run on the default transport as a program would (`auto`: native when the addon loads).
 *
 * A program finds the package by `require` from core; under vitest that resolves the
 * `@torsion/source` condition to TypeScript, which Node cannot load. Importing the package here
 * (through vitest) registers it with core instead. When the addon is disabled or not built,
 * the package says so and core uses the portable transport, as it would in a program.
 */
import "@torsion/native";
