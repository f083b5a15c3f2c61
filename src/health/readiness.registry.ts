import { Injectable } from '@nestjs/common';

/** A readiness check: resolves to a short public detail when healthy, throws (or returns false) when not. */
export type ReadinessProbe = () => Promise<boolean | Record<string, unknown>>;

/** Modules register what /health/ready must verify (database, Connect endpoint, Socket.IO, …). */
@Injectable()
export class ReadinessRegistry {
  private readonly probes = new Map<string, ReadinessProbe>();

  register(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  entries(): [string, ReadinessProbe][] {
    return [...this.probes.entries()];
  }
}
