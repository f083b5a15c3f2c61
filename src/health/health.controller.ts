import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { PrismaService } from '../database/prisma.service.js';
import { MetricsService } from './metrics.service.js';
import { ReadinessRegistry } from './readiness.registry.js';

const PROBE_TIMEOUT_MS = 3000;

@ApiTags('operations')
@SkipThrottle()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health/live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([async () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Get('health/ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const checks = [
      () => this.probe('database', async () => this.prisma.isReachable()),
      ...this.readiness.entries().map(([name, probe]) => () => this.probe(name, probe)),
    ];
    return this.health.check(checks);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ description: 'Prometheus text exposition' })
  @ApiExcludeEndpoint(false)
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  private async probe(name: string, probe: () => Promise<boolean | Record<string, unknown>>): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(name);
    try {
      const outcome = await withTimeout(probe(), PROBE_TIMEOUT_MS);
      if (outcome === false) return session.down();
      return outcome === true ? session.up() : session.up(outcome);
    } catch (err) {
      return session.down({ message: err instanceof Error ? err.message.slice(0, 200) : 'check failed' });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
