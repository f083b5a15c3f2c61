import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../support/spawn-gateway.js';

interface Service {
  build?: unknown; image?: string; ports?: string[]; environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] };
}

// Docker does not run on these machines: the file is checked for its services and wiring.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
  const { gateway, postgres, redis } = compose.services;

  it('has the gateway, Postgres and Redis', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'postgres', 'redis']);
    expect(gateway!.build).toBeDefined();
    expect(postgres!.image).toMatch(/^postgres:/);
    expect(redis!.image).toMatch(/^redis:/);
  });

  it('wires the gateway to both services by their service names', () => {
    const env = gateway!.environment!;
    const db = new URL(env.DATABASE_URL!);
    expect(db.hostname).toBe('postgres');
    expect(db.username).toBe(postgres!.environment!.POSTGRES_USER);
    expect(db.password).toBe(postgres!.environment!.POSTGRES_PASSWORD);
    expect(db.pathname).toBe(`/${postgres!.environment!.POSTGRES_DB}`);
    expect(new URL(env.REDIS_URL!).hostname).toBe('redis');
    expect(gateway!.ports).toContain(`${env.PORT}:3000`);
  });

  it('starts the gateway only after healthy dependencies, and checks the gateway readiness', () => {
    expect(gateway!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(postgres!.healthcheck).toBeDefined();
    expect(redis!.healthcheck).toBeDefined();
    expect(gateway!.healthcheck!.test.join(' ')).toContain('/health/ready');
  });

  it('has a Dockerfile that builds and runs dist/main.js', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm run build');
    expect(dockerfile).toMatch(/CMD \["node", "--max-semi-space-size=32", "dist\/main.js"\]/);
  });
});
