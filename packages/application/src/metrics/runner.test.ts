import { createReactor } from "@torsion/core";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.ts";
import { parseRunnerArgs } from "../runner/options.ts";
import { Application } from "../service/multi-service.ts";
import { MetricsService } from "./metrics-service.ts";
import { withRunnerMetrics } from "./runner.ts";

describe("--metrics on the command line", () => {
  it("parses --metrics and --metrics-grace (default 2 s)", () => {
    expect(parseRunnerArgs(["echo"])).toMatchObject({ metrics: undefined, metricsGrace: 2 });
    expect(
      parseRunnerArgs([
        "--metrics",
        "tcp:9464:interface=127.0.0.1",
        "--metrics-grace",
        "0.5",
        "echo",
      ]),
    ).toMatchObject({ metrics: "tcp:9464:interface=127.0.0.1", metricsGrace: 0.5, plugin: "echo" });
  });

  it("refuses a bad --metrics-grace as a usage error", () => {
    expect(() => parseRunnerArgs(["--metrics-grace", "soon", "echo"])).toThrow(UsageError);
  });

  it("wraps the root in a MetricsService only when asked, and not in the --workers primary", () => {
    const reactor = createReactor();
    const root = new Application("echo");
    expect(withRunnerMetrics(root, { metrics: undefined, metricsGrace: 2 }, reactor)).toBe(root);
    expect(withRunnerMetrics(root, { metrics: "tcp:0", metricsGrace: 2 }, reactor, 4)).toBe(root);
    const wrapped = withRunnerMetrics(
      root,
      { metrics: "tcp:0:interface=127.0.0.1", metricsGrace: 2 },
      reactor,
    );
    expect(wrapped).toBeInstanceOf(MetricsService);
    expect((wrapped as MetricsService).root).toBe(root);
    expect(wrapped.name).toBe("echo");
  });
});
